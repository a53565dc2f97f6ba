package main

import "time"

// The JSON lines the tests parse (the command line's contract; package
// cli defines what it writes).

type summaryJSON struct {
	ID         string    `json:"id"`
	SHA256     string    `json:"sha256"`
	RecordedAt time.Time `json:"recorded_at"`
	Status     string    `json:"status"`
	Held       bool      `json:"held,omitempty"`
	DeleteAt   time.Time `json:"delete_at,omitzero"`
}

type markJSON struct {
	ID          string `json:"id"`
	Revision    int    `json:"revision"`
	RecordingID string `json:"recording_id"`
	FrameIn     int    `json:"frame"`
	FrameOut    int    `json:"to"`
	Category    string `json:"category"`
	Note        string `json:"note"`
	Deleted     bool   `json:"deleted,omitempty"`
	Author      string `json:"author"`
}

type auditJSON struct {
	Seq         int64  `json:"seq"`
	User        string `json:"user"`
	Action      string `json:"action"`
	RecordingID string `json:"recording_id,omitempty"`
	Outcome     string `json:"outcome"`
}
