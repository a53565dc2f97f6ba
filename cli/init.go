package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"exhibit/app"
)

// init: create a store and its first administrator.

func initFlags(fs *flag.FlagSet) action {
	return action{check: exactlyArgs(0, ""), run: runInit}
}

func runInit(ctx context.Context, s *session, _ []string) error {
	ks, err := s.keySource()
	if err != nil {
		return err
	}
	if err := app.CheckNoStore(s.storeDir); err != nil {
		return err
	}
	admin, adminPW, err := s.newAccount("the first administrator")
	if err != nil {
		return err
	}
	if ks.Passphrase == nil {
		if _, tty := s.terminal(); tty {
			p, err := s.prompt("Passphrase to also protect the store key (empty: OS keyring only): ")
			if err != nil {
				return err
			}
			if len(p) > 0 {
				again, err := s.prompt("Same passphrase again: ")
				if err != nil {
					return err
				}
				if string(again) != string(p) {
					return errors.New("the passphrases differ; nothing was created")
				}
				ks.Passphrase = p
			}
		}
	}
	lib, err := app.Create(s.storeDir, ks, s.log)
	if err != nil {
		return err
	}
	s.lib = lib // closed by runCommand
	if _, err := lib.CreateFirstAdmin(ctx, admin, adminPW, "cli init"); err != nil {
		return fmt.Errorf("the store was created but its first administrator was not: %w "+
			"(create one with `exhibit user add NAME --role admin`)", err)
	}
	inKeyring, withPass, err := lib.KeyProtection(ctx)
	if err != nil {
		return err
	}
	where := []string{}
	if inKeyring {
		where = append(where, "the OS keyring")
	}
	if withPass {
		where = append(where, "your passphrase")
	}
	return s.printf("Created an Exhibit store in %s\nIts key is protected by %s.\nIts administrator is %s.\n",
		s.storeDir, strings.Join(where, " and "), strings.ToLower(admin))
}
