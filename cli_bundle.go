package main

// Output rules of verify-bundle (other tools read them):
//   - an intact bundle: one line "OK    DIR: every check passed", exit 0;
//   - otherwise one line "FAIL path: reason" per problem (path relative to
//     the bundle, "." for the folder itself), sorted by path, exit 1;
//   - --json: one object {"ok": bool, "bundle": DIR, "problems": [{"path", "reason"}]}.
// It opens no store, asks for no key and no sign-in.

import (
	"context"
	"encoding/json"
	"fmt"

	"exhibit/app"
	"exhibit/bundle"
)

func (c *cli) cmdVerifyBundle(ctx context.Context, args []string) int {
	fs := newFlags("verify-bundle", c)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(c.stderr, "exhibit verify-bundle: usage: exhibit verify-bundle DIR [--json]")
		return exitUsage
	}
	probs := bundle.Verify(ctx, pos[0], bundle.VerifyOptions{})
	if *asJSON {
		if probs == nil {
			probs = []bundle.Problem{}
		}
		if err := json.NewEncoder(c.stdout).Encode(map[string]any{"ok": len(probs) == 0, "bundle": pos[0], "problems": probs}); err != nil {
			return c.fail(err)
		}
	} else if len(probs) == 0 {
		fmt.Fprintf(c.stdout, "OK    %s: every check passed\n", pos[0])
	}
	if !*asJSON {
		for _, p := range probs {
			fmt.Fprintf(c.stdout, "FAIL %s: %s\n", p.Path, p.Reason)
		}
	}
	if ctx.Err() != nil {
		return exitAborted
	}
	if len(probs) > 0 {
		return exitFailed
	}
	return exitOK
}

func (c *cli) cmdExport(ctx context.Context, args []string) int {
	fs := newFlags("export", c)
	caseRef := fs.String("case", "", "case reference")
	out := fs.String("out", "", "bundle folder to create")
	masters := fs.Bool("masters", false, "include the decrypted masters")
	lossless := fs.Bool("lossless", false, "add lossless clips beside the court clips")
	stills := fs.Bool("stills", false, "a still at each marker")
	zipToo := fs.Bool("zip", false, "also write DIR.zip")
	specs, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if *caseRef == "" || *out == "" || len(specs) == 0 {
		fmt.Fprintln(c.stderr, "exhibit export: usage: exhibit export --case REF --out DIR [--masters] [--lossless] [--stills] [--zip] SPEC...\n  SPEC: ID (whole recording), ID:N-M (frames N..M), or an annotation id")
		return exitUsage
	}
	lib, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer lib.Close()
	var progress func(float64)
	if bar := c.progressLine("export"); bar != nil {
		progress = func(f float64) { bar(int(f*1000), 1000) }
	}
	res, err := lib.Export(ctx, app.ExportRequest{CaseRef: *caseRef, Out: *out, Specs: specs, Masters: *masters,
		Lossless: *lossless, Stills: *stills, Zip: *zipToo}, progress)
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stdout, "%s: bundle %s, %d files, %d audit entries with proofs; manifest.json SHA-256 %s (audit entry %d)\n",
		res.Dir, res.BundleID, res.Items, res.AuditEntries, res.ManifestSHA256, res.ExportSeq)
	if *zipToo {
		fmt.Fprintf(c.stdout, "%s.zip\n", res.Dir)
	}
	return exitOK
}
