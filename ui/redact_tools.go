package ui

// placeholder until detect/track/render land
func (s *redactScreen) detect(here bool) {}
func (s *redactScreen) follow(dir int)   {}
func (s *redactScreen) renderDialog()    {}
