package player

import (
	"fmt"

	mpv "github.com/gen2brain/go-mpv"
)

// LibmpvVersion describes the libmpv this process runs against, asked from
// the linked library at run time (not from the headers it was built with).
type LibmpvVersion struct {
	// ClientAPI is mpv_client_api_version() as "major.minor" (e.g. "2.1").
	ClientAPI string
	// Mpv is the library's `mpv-version` property (e.g. "mpv 0.35.1").
	Mpv string
}

// String returns "mpv 0.35.1 (client API 2.1)".
func (v LibmpvVersion) String() string {
	return fmt.Sprintf("%s (client API %s)", v.Mpv, v.ClientAPI)
}

// Libmpv reports the linked libmpv's version. It creates and initialises a
// throw-away mpv handle with no video or audio output and no configuration
// (a few milliseconds), reads `mpv-version` and destroys it.
func Libmpv() (LibmpvVersion, error) {
	setLocaleC()
	m := mpv.New()
	if rawHandle(m) == nil {
		return LibmpvVersion{}, fmt.Errorf("%w: mpv_create failed", ErrPlayback)
	}
	defer m.TerminateDestroy()
	api := m.APIVersion()
	v := LibmpvVersion{ClientAPI: fmt.Sprintf("%d.%d", api>>16, api&0xffff)}
	for _, o := range [][2]string{{"config", "no"}, {"terminal", "no"}, {"vo", "null"}, {"ao", "null"}, {"load-scripts", "no"}, {"ytdl", "no"}, {"idle", "yes"}} {
		if err := m.SetOptionString(o[0], o[1]); err != nil {
			return v, fmt.Errorf("%w: set mpv option %s=%s: %w", ErrPlayback, o[0], o[1], err)
		}
	}
	if err := m.Initialize(); err != nil {
		return v, fmt.Errorf("%w: mpv_initialize: %w", ErrPlayback, err)
	}
	v.Mpv = m.GetPropertyString("mpv-version")
	if v.Mpv == "" {
		return v, fmt.Errorf("%w: libmpv has no mpv-version property", ErrPlayback)
	}
	return v, nil
}
