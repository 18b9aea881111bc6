package main

import (
	"net"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks what the image promises without building it (no
// Docker here): the build image pinned to an exact Go release, the webhook
// and ops ports exposed as configured by default, and the uploads on the
// volume the non-root process owns, not under the root-owned seeds.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	if !regexp.MustCompile(`(?m)^FROM golang:\d+\.\d+\.\d+(-\w+)? AS build$`).MatchString(df) {
		t.Error("the build image is not pinned to an exact Go version (golang:X.Y.Z)")
	}
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`([A-Z_]+)=(\S+)`).FindAllStringSubmatch(df[strings.Index(df, "ENV "):], -1) {
		env[m[1]] = m[2]
	}
	cfg, err := loadConfig(mapenv(env))
	if err != nil {
		t.Fatalf("the image's ENV: %v", err)
	}
	exposed := regexp.MustCompile(`(?m)^EXPOSE (.+)$`).FindStringSubmatch(df)
	if exposed == nil {
		t.Fatal("no EXPOSE")
	}
	for name, addr := range map[string]string{"WEBHOOK_LISTEN": cfg.WebhookListen, "OPS_LISTEN": cfg.OpsListen} {
		_, port, _ := net.SplitHostPort(addr)
		if !strings.Contains(" "+exposed[1]+" ", " "+port+" ") {
			t.Errorf("%s port %s is not exposed: EXPOSE %s", name, port, exposed[1])
		}
	}
	uploads := uploadsDir(cfg)
	owned := regexp.MustCompile(`(?m)^COPY --from=build --chown=nonroot:nonroot \S+ (\S+)$`).FindStringSubmatch(df)
	if owned == nil || !strings.HasPrefix(uploads+"/", strings.TrimSuffix(owned[1], "/")+"/") {
		t.Errorf("uploads go to %s, which is not under the non-root volume (%v)", uploads, owned)
	}
	if strings.HasPrefix(uploads, cfg.SeedsDir) || path.Dir(uploads) == cfg.SeedsDir {
		t.Errorf("uploads go under SEEDS_DIR %s", cfg.SeedsDir)
	}
	if !strings.Contains(df, `VOLUME ["`+cfg.DataDir+`"]`) {
		t.Errorf("DATA_DIR %s is not a volume", cfg.DataDir)
	}
}
