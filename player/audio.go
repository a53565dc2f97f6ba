package player

// AudioOutput returns the audio output libmpv plays through: "pulse",
// "pipewire", "alsa", ..., or "null" when no sound device could be opened
// (the last of DefaultAudioOutput); "" while none is open (before the
// first Play, or for a recording without audio).
func (e *Engine) AudioOutput() string {
	ao := ""
	_ = e.call(func(c *core) error { ao = c.m.GetPropertyString("current-ao"); return nil }) // "" on a closed engine
	return ao
}
