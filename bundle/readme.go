package bundle

import (
	"fmt"
	"strings"
)

// RFC6962Python is the Python 3 program printed in README.txt (between
// the lines "----- verify_proofs.py -----" and "----- end -----"). It
// checks every entry line against its proof and the checkpoint with the
// RFC 9162 section 2.1.3.2 algorithm, using only the standard library.
const RFC6962Python = `import base64, hashlib, json
def H(b): return hashlib.sha256(b).digest()
cp = open('audit/checkpoint', 'rb').read().decode()
origin, size, root = cp.split('\n')[:3]
size, root, bad = int(size), base64.b64decode(root), 0
for line in open('audit/entries.jsonl', 'rb').read().split(b'\n')[:-1]:
    seq = json.loads(line)['seq']
    head, note = open('audit/proofs/%d.tlog-proof' % seq).read().split('\n\n', 1)
    rows = head.split('\n')
    assert rows[0] == 'c2sp.org/tlog-proof@v1' and note == cp, seq
    rows = rows[1:]
    if rows[0].startswith('extra '): rows = rows[1:]
    fn, sn = int(rows[0][len('index '):]), size - 1
    assert fn == seq - 1, seq
    r = H(b'\x00' + line)                      # RFC 6962 leaf hash
    for p in map(base64.b64decode, rows[1:]):  # fold the audit path
        if sn == 0: sn = -1; break
        if fn & 1 or fn == sn:
            r = H(b'\x01' + p + r)
            while fn and not fn & 1: fn >>= 1; sn >>= 1
        else:
            r = H(b'\x01' + r + p)
        fn >>= 1; sn >>= 1
    ok = sn == 0 and r == root
    bad += not ok
    print('entry %d: %s' % (seq, 'OK' if ok else 'FAIL'))
print('all %s' % ('OK' if bad == 0 else 'FAILED'))
`

// ReadmeBrowserLines are README.txt's two lines for someone who has only
// a web browser.
const ReadmeBrowserLines = `ONLY A WEB BROWSER? Open index.html (unzip the .zip first): it plays the
court clips offline, frame by frame, showing exhibit, master frame, camera time.`

func hasKind(m Manifest, k Kind) bool {
	for _, it := range m.Items {
		if it.Kind == k {
			return true
		}
	}
	return false
}

// Readme returns README.txt for a bundle with manifest m: how to play it
// and how to repeat every check of Verify with public tools.
func Readme(m Manifest) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("EVIDENCE BUNDLE %s", m.BundleID)
	p("Case reference: %s", m.CaseRef)
	p("Created %s (UTC) by %s with Exhibit %s", m.CreatedAt.UTC().Format("2006-01-02 15:04:05"), m.CreatedBy, m.ExhibitVersion)
	p("")
	p("%s", ReadmeBrowserLines)
	p("")
	if m.Notes != nil && m.Notes.Withheld {
		p("%s", m.Notes.Statement)
		p("")
	}
	p(`WHAT IS HERE

  index.html          open in any web browser (works offline) to play the
                      court clips frame by frame with the exhibit reference,
                      the master frame number and the camera time
  report.pdf          continuity report (also report.html)
  clips/              court-playable clips (H.264/AAC MP4: any player) and
                      lossless clips (the master's own coded frames)
  masters/            the masters, bit-identical to what was ingested (if exported)
  stills/             a still picture at each marker (if exported)
  framehash/          per-frame SHA-256 hashes of each clip and master range`)
	if hasKind(m, KindClipRedacted) {
		p(`  clips/*_redacted-*  redacted copies: re-encoded like court clips, with
                      faces, plates, documents or sound hidden (frame_map in
                      manifest.json names the master frame of each frame)
  redaction/          each redacted copy's redaction log (JSON and PDF): every
                      hidden region and sound range, with its reason, who
                      added it and when; nothing of what was hidden`)
	}
	if hasKind(m, KindStillRedacted) {
		p(`  stills/*_redacted-*  stills taken from a redacted copy (never the master)`)
	}
	p(`  manifest.json       what every file is: exhibit reference, parent master and
                      its SHA-256, frame range (0-based, inclusive), recording
                      facts, and the exact ffmpeg command (recipe)
  SHA256SUMS          SHA-256 of every other file
  audit/              the audit entries about these recordings and this export,
                      each with a proof that it is in the signed audit log

Frame numbers count decoded frames from 0 in presentation order, the same
numbering as ffmpeg's select=eq(n\,N). Times are UTC.

HOW TO CHECK IT (no Exhibit needed; run in this folder)

Step 1. Every file is unchanged and nothing is missing:

    sha256sum --strict -c SHA256SUMS

  Every line must say OK. Then check that no file is present that SHA256SUMS
  does not list, and that there are no symbolic links:

    find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort > /tmp/files
    cut -c67- SHA256SUMS | sort | diff - /tmp/files && find . -type l | wc -l

  (no diff output, and 0 links). manifest.json lists the same files with the
  same SHA-256 and size (those written after it, the report and audit/, are
  covered by SHA256SUMS only).

Step 2. The masters are what the camera produced: the SHA-256 of each file
  in masters/ equals its "master_sha256" in manifest.json (the hash taken at
  ingest), e.g.  sha256sum masters/*`)
	p("")
	p(`Step 3. The clips show exactly the master's frames. Recompute each clip's
  frame hashes with ffmpeg (software decoding, every frame, bit-exact):

    ffmpeg -protocol_whitelist file -flags +bitexact -fflags +bitexact -i CLIP -map 0:v:0 \
      -fps_mode passthrough -flags +bitexact -f framehash -hash sha256 - > /tmp/new.framehash

  and compare the size and hash columns with the clip's framehash file:

    diff <(grep -v '^#' /tmp/new.framehash | cut -d, -f5-) <(grep -v '^#' FRAMEHASH | cut -d, -f5-)

  For a lossless clip the hashes must also equal, row for row, those of the
  master frames it was cut from (so its pictures are bit-identical to the
  master's). For a court clip (re-encoded for playback) the file records
  which master frame each clip frame came from ("frame_map" in manifest.json).
  A redacted copy is checked like a court clip; its recipe names both ffmpeg
  runs and the redaction stage between them, and its redaction log lists
  what was hidden.
  The clips of this bundle:
`)
	for _, it := range m.Items {
		if !IsClip(it.Kind) {
			continue
		}
		p("    %s (%s, %s)", it.Path, it.ExhibitRef, it.Kind)
		if it.Frames != nil {
			p("      master %s frames %d-%d, master SHA-256 %s", it.MasterID, it.Frames.From, it.Frames.To, it.MasterSHA256)
		}
		p("      its framehash:          %s", it.FrameHash)
		if it.Kind == KindClipLossless {
			p("      master range framehash: %s (must be equal)", it.MasterFrameHash)
		}
		if it.Recipe != nil {
			p("      made with: %s %s", it.Recipe.Tool, strings.Join(it.Recipe.Args, " "))
			for _, n := range it.Recipe.Notes {
				if it.Kind == KindClipRedacted {
					p("      and: %s", n)
				}
			}
		}
	}
	p("")
	p(`Step 4. The audit entries are in the signed audit log. audit/entries.jsonl
  holds one entry per line; each line is exactly the data of one leaf of an
  RFC 6962 Merkle tree (leaf hash = SHA-256(0x00 || line), without the line
  break). audit/proofs/SEQ.tlog-proof is a c2sp.org/tlog-proof@v1 file for
  the entry with "seq": SEQ: the line "c2sp.org/tlog-proof@v1", "index N"
  (N = SEQ - 1), the audit path (base64 SHA-256 hashes, from the leaf up), a
  blank line and the signed checkpoint, identical to audit/checkpoint. The
  checkpoint is a signed note (c2sp.org/signed-note): origin, tree size and
  base64 root hash, a blank line and a signature line
  "— NAME BASE64(key hash[4] || Ed25519 signature[64])" over the text above
  the blank line. audit/log.vkey is the verifier key NAME+HASH+BASE64(0x01 ||
  Ed25519 public key[32]): compare it with the key the force publishes, since
  a key that came with the bundle proves only that the bundle is consistent.

  Any RFC 6962 verifier can check the proofs; this Python 3 program uses the
  standard library only (run it in this folder; every line must say OK):

----- verify_proofs.py -----`)
	b.WriteString(RFC6962Python)
	p(`----- end -----

  The signature can be checked with any Ed25519 library, e.g. in Python with
  the "cryptography" package:

    import base64
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    name, khash, key = open('audit/log.vkey').read().strip().split('+')
    text, sigs = open('audit/checkpoint', 'rb').read().split(b'\n\n', 1)
    sig = base64.b64decode(sigs.decode().split(' ')[2])
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key)[1:]).verify(sig[4:], text + b'\n')

  (no exception means the signature is good). The entry with action
  "export.create" records the SHA-256 of manifest.json: since the manifest
  holds the hashes of the clips, masters and framehash files, the signed log
  vouches for them all.

Exhibit does all of the above with:  exhibit verify-bundle THIS_FOLDER`)
	return b.String()
}
