package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionText describes the running binary from its build information:
// the module version, the source revision (with "+dirty" for a modified
// work tree) and its time, and the Go version.
func versionText() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "khabar (no build information)"
	}
	return formatVersion(info)
}

func formatVersion(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "khabar %s", version)
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, " revision %s", rev)
		if settings["vcs.modified"] == "true" {
			b.WriteString("+dirty")
		}
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
	}
	fmt.Fprintf(&b, " %s", info.GoVersion)
	return b.String()
}
