package js

import (
	"fmt"
	"strings"
)

// LogLevel is --loglevel: which messages reach the terminal. Each console method has a level
// (console.debug debug; log and info info; warn warning; error error); a message shows when
// its level is at or above the chosen one.
type LogLevel int32

// The levels, Locust's names.
const (
	LevelDebug LogLevel = iota
	LevelInfo
	LevelWarning
	LevelError
	LevelCritical
)

// ParseLogLevel reads a --loglevel value, in any case; "warn" is "warning".
func ParseLogLevel(s string) (LogLevel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return LevelDebug, nil
	case "info", "":
		return LevelInfo, nil
	case "warning", "warn":
		return LevelWarning, nil
	case "error":
		return LevelError, nil
	case "critical":
		return LevelCritical, nil
	}
	return 0, fmt.Errorf("bad --loglevel %q: want debug, info, warning, error or critical", s)
}

// consoleLevel is the level of each console method.
var consoleLevel = map[string]LogLevel{"debug": LevelDebug, "log": LevelInfo, "info": LevelInfo, "warn": LevelWarning, "error": LevelError}

// SetLogLevel sets what the script's console and its exceptions show from now on (the
// module's top level, run at load, sees the default: info).
func (s *Script) SetLogLevel(l LogLevel) { s.logLevel.Store(int32(l)) }

// Logs reports whether a message of level l shows.
func (s *Script) Logs(l LogLevel) bool { return l >= LogLevel(s.logLevel.Load()) }
