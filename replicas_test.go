package main

// Several `khabar serve` processes sharing one PostgreSQL
// (STATE_BACKEND=postgres) behind a webhook fan-in: the tests build the
// binary, start two replicas on loopback ports against one fake Bot API,
// and post each update to one replica in turn, as a load balancer in front
// of them would. They skip without DATABASE_URL (scripts/postgres.sh
// starts a throwaway cluster; .ci/pgstate runs them). With WEAVIATE_URL
// set too (scripts/weaviate.sh), the replicas also share one Weaviate
// index (INDEX_BACKEND=weaviate), in collections of a prefix of the test's
// own.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jackc/pgx/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/pgstate"
)

// replicaDB returns DATABASE_URL pointed at a fresh schema (through
// search_path), created now and dropped when the test ends; without
// DATABASE_URL the test is skipped.
func replicaDB(t *testing.T) (dbURL, schema string) {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Skip("DATABASE_URL is unset: skipping this two-replica PostgreSQL test " +
			`(start a throwaway cluster with: eval "$(scripts/postgres.sh start)"; stop it with scripts/postgres.sh stop)`)
	}
	if runtime.GOOS == "windows" {
		t.Skip("the replicas are killed with SIGKILL")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema = "r_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		t.Skip("DATABASE_URL is not a postgres:// URL: the replica tests need one to add search_path")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

var (
	khabarBinOnce sync.Once
	khabarBin     string
	khabarBinErr  error
)

// buildKhabar builds the binary once for the package's tests.
func buildKhabar(t *testing.T) string {
	t.Helper()
	khabarBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "khabar-replicas-")
		if err != nil {
			khabarBinErr = err
			return
		}
		khabarBin = filepath.Join(dir, "khabar")
		out, err := exec.Command("go", "build", "-o", khabarBin, ".").CombinedOutput()
		if err != nil {
			khabarBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if khabarBinErr != nil {
		t.Fatal(khabarBinErr)
	}
	return khabarBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if khabarBin != "" {
		os.RemoveAll(filepath.Dir(khabarBin))
	}
	os.Exit(code)
}

// replica is one `khabar serve` process.
type replica struct {
	name string
	addr string // WEBHOOK_LISTEN
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed when the process has exited

	mu   sync.Mutex
	dead bool
}

const replicaSecret = "replica-test-secret"

// cluster is the replicas of one test, their fake Bot API and the fan-in.
type cluster struct {
	t        *testing.T
	fake     *telegramtest.Server
	seeds    string
	dbURL    string
	replicas []*replica
	// weaviate is whether the replicas share a Weaviate index.
	weaviate bool

	mu   sync.Mutex
	next int
}

// newCluster starts n replicas sharing dbURL and the seeds folder seeds
// (each with a DATA_DIR of its own), with extra environment variables, and
// waits until each serves its webhook.
func newCluster(t *testing.T, fake *telegramtest.Server, dbURL, seeds string, n int, extra ...string) *cluster {
	t.Helper()
	bin := buildKhabar(t)
	c := &cluster{t: t, fake: fake, seeds: seeds, dbURL: dbURL}
	envFile := filepath.Join(t.TempDir(), "none.env")
	os.WriteFile(envFile, nil, 0o644)
	var index []string
	if wv := os.Getenv("WEAVIATE_URL"); wv != "" {
		c.weaviate = true
		prefix := testPrefix()
		dropPrefix(t, wv, prefix)
		index = []string{"INDEX_BACKEND=weaviate", "WEAVIATE_URL=" + wv, "WEAVIATE_PREFIX=" + prefix}
		t.Logf("the replicas share the Weaviate index at %s (prefix %s) and one PostgreSQL", wv, prefix)
	} else {
		t.Log("WEAVIATE_URL is unset: each replica has its own in-process index; they share one PostgreSQL")
	}
	for i := range n {
		r := &replica{name: string(rune('A' + i)), addr: freeAddr(t), logs: &syncBuffer{}, done: make(chan struct{})}
		env := []string{
			"ENV_FILE=" + envFile,
			"DATA_DIR=" + t.TempDir(),
			"SEEDS_DIR=" + seeds,
			"LOG_LEVEL=info",
			"TELEGRAM_BOT_TOKEN=" + fake.Token(),
			"TELEGRAM_API_ENDPOINT=" + fake.APIEndpoint(),
			"WEBHOOK_URL=https://khabar.test/hook",
			"WEBHOOK_SECRET=" + replicaSecret,
			"WEBHOOK_LISTEN=" + r.addr,
			"STATE_BACKEND=postgres",
			"DATABASE_URL=" + dbURL,
			"ADMIN_USER_IDS=1",
			"WORKERS=4",
		}
		env = append(env, index...)
		for j := 0; j+1 < len(extra); j += 2 {
			env = append(env, extra[j]+"="+extra[j+1])
		}
		r.cmd = exec.Command(bin, "serve")
		r.cmd.Env = env
		r.cmd.Dir = t.TempDir()
		r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { r.cmd.Wait(); close(r.done) }()
		t.Cleanup(func() {
			r.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-r.done:
			case <-time.After(20 * time.Second):
				r.cmd.Process.Kill()
				<-r.done
			}
			if t.Failed() {
				t.Logf("replica %s logs:\n%s", r.name, r.logs.String())
			}
		})
		c.replicas = append(c.replicas, r)
	}
	for _, r := range c.replicas {
		c.waitLog(r, "receiving updates by webhook", 60*time.Second)
	}
	return c
}

// waitLog waits until r has logged want.
func (c *cluster) waitLog(r *replica, want string, within time.Duration) {
	c.t.Helper()
	c.waitMatch(r, regexp.MustCompile(regexp.QuoteMeta(want)), within)
}

// waitMatch waits until a line of r's logs matches re.
func (c *cluster) waitMatch(r *replica, re *regexp.Regexp, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for !re.MatchString(r.logs.String()) {
		select {
		case <-r.done:
			c.t.Fatalf("replica %s exited before logging %q:\n%s", r.name, re, r.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replica %s did not log %q within %s:\n%s", r.name, re, within, r.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leadsDigests matches the log line of the replica that took the digest
// scheduler's lead (not another job's, such as the feeds poller's).
var leadsDigests = regexp.MustCompile(`msg="leader: this replica runs the job"[^\n]* job=digest(\s|$)`)

// kill ends r with SIGKILL: no shutdown, no unlock, sockets closed by the
// kernel.
func (c *cluster) kill(r *replica) {
	c.t.Helper()
	r.mu.Lock()
	r.dead = true
	r.mu.Unlock()
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-r.done
}

func (r *replica) alive() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.dead
}

// post delivers u as Telegram would, to the next live replica in turn,
// and returns that replica; an update refused is posted again (as Telegram
// redelivers), to the next one.
func (c *cluster) post(u tgbotapi.Update) *replica {
	c.t.Helper()
	req, err := c.fake.NewWebhookRequest(u)
	if err != nil {
		c.t.Fatal(err)
	}
	body, err := req.GetBody()
	if err != nil {
		c.t.Fatal(err)
	}
	payload := make([]byte, req.ContentLength)
	if _, err := body.Read(payload); err != nil && int64(len(payload)) != req.ContentLength {
		c.t.Fatal(err)
	}
	for attempt := 0; attempt < 20; attempt++ {
		r := c.pick()
		hreq, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/hook", strings.NewReader(string(payload)))
		hreq.Header = req.Header.Clone()
		resp, err := http.DefaultClient.Do(hreq)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("update %d refused by every replica", u.UpdateID)
	return nil
}

// pick is the next live replica, round-robin.
func (c *cluster) pick() *replica {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range len(c.replicas) {
		r := c.replicas[c.next%len(c.replicas)]
		c.next++
		if r.alive() {
			return r
		}
	}
	c.t.Fatal("no replica alive")
	return nil
}

// text is a message update from user in ch.
func text(ch tgbotapi.Chat, from int64, s string) tgbotapi.Update {
	return tgbotapi.Update{Message: &tgbotapi.Message{Chat: &ch, From: &tgbotapi.User{ID: from, FirstName: "u"}, Text: s, Date: int(time.Now().Unix())}}
}

// inboxSettled waits until the shared inbox holds want updates, all
// handled (each only once its replies left the outbox).
func inboxSettled(t *testing.T, dbURL string, want int, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(within)
	for {
		var total, pending int
		if err := conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE done_at IS NULL) FROM inbox").Scan(&total, &pending); err != nil {
			t.Fatal(err)
		}
		if total == want && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inbox: %d updates, %d pending; want %d, all handled", total, pending, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// replicaSeeds is a seeds folder of five unrelated stories.
func replicaSeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"iraq.txt":   "date 2025-10-05 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است.",
		"dollar.txt": "date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار آزاد تهران امروز کاهش یافت.",
		"rain.txt":   "date 2025-10-06 خبرگزاری فارس: بارش باران پاییزی در استان گیلان آغاز شد.",
		"wheat.txt":  "date 2025-10-06 به گزارش ایرنا، خرید تضمینی گندم از کشاورزان خوزستان به پایان رسید.",
		"metro.txt":  "date 2025-10-07 به گزارش همشهری، خط هفت متروی تهران به ایستگاه میدان صنعت رسید.",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestReplicasShareLimitAndOrder: one user asks in ten groups at once,
// the updates spread over two replicas, and exactly USER_QUESTION_BURST
// of them are answered (plus one «slow down»); a private chat's questions,
// posted to the replicas in turn, are answered in the order asked, a
// second apart, and one delivered again to the other replica is answered
// once.
func TestReplicasShareLimitAndOrder(t *testing.T) {
	dbURL, _ := replicaDB(t)
	fake := telegramtest.New(t, telegramtest.Options{})
	const burst = 5
	c := newCluster(t, fake, dbURL, replicaSeeds(t), 2,
		"USER_QUESTIONS_PER_MINUTE", "0.01", "USER_QUESTION_BURST", fmt.Sprint(burst))

	// The order: five questions of one private chat, posted to A, B, A,
	// B, A; Telegram takes three seconds over the first reply, so that a
	// replica answering the second question at once would overtake it.
	questions := []struct{ q, want string }{
		{"وزیر دفاع عراق چه گفت؟", "عراق"},
		{"قیمت دلار چه شد؟", "دلار"},
		{"باران در گیلان", "گیلان"},
		{"خرید تضمینی گندم", "گندم"},
		{"خط هفت مترو", "مترو"},
	}
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Delay: 3 * time.Second})
	reader := tgbotapi.Chat{ID: 600, Type: "private"}
	on := map[string]int{}
	var first tgbotapi.Update
	for i, q := range questions {
		u := text(reader, reader.ID, q.q)
		u.UpdateID = 5001 + i
		if i == 0 {
			first = u
		}
		on[c.post(u).name]++
	}
	if on["A"] == 0 || on["B"] == 0 {
		t.Fatalf("the fan-in did not use both replicas: %v", on)
	}
	// Telegram delivering the first again, to the other replica: stored
	// once, answered once.
	c.post(first)
	wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	msgs, err := fake.WaitMessages(wctx, reader.ID, len(questions))
	if err != nil {
		t.Fatal(err)
	}
	if msgs = fake.Messages(reader.ID); len(msgs) != len(questions) {
		t.Fatalf("private chat: %d replies, want %d", len(msgs), len(questions))
	}
	for i, m := range msgs {
		if !strings.Contains(m.Visible, questions[i].want) {
			t.Errorf("reply %d is %q, want the answer about %q (replies out of order?)", i+1, m.Visible, questions[i].want)
		}
	}
	inboxSettled(t, dbURL, len(questions), 10*time.Second)
	// The chat's lane is shared: its messages, from either replica, are a
	// second apart (Telegram's limit for a private chat), less the jitter
	// of the requests' arrival.
	var last time.Time
	calls := fake.Calls("sendMessage")
	slices.SortFunc(calls, func(a, b telegramtest.Call) int { return a.Time.Compare(b.Time) })
	for _, call := range calls {
		if call.Params.Get("chat_id") != "600" {
			continue
		}
		if !last.IsZero() && call.Time.Sub(last) < 900*time.Millisecond {
			t.Errorf("two messages to the private chat %s apart, want a second", call.Time.Sub(last).Round(time.Millisecond))
		}
		last = call.Time
	}

	// The limit: ten groups, one user, posted concurrently.
	const groups, asker = 10, 77
	var wg sync.WaitGroup
	for i := range groups {
		g := tgbotapi.Chat{ID: int64(-1000 - i), Type: "supergroup", Title: "g"}
		wg.Go(func() { c.post(text(g, asker, "/ask قیمت دلار در تهران چه شد؟")) })
	}
	wg.Wait()
	inboxSettled(t, dbURL, len(questions)+groups, 60*time.Second)
	answered, slowDown := 0, 0
	for i := range groups {
		for _, m := range fake.Messages(int64(-1000 - i)) {
			switch {
			case strings.Contains(m.Visible, chat.MsgSlowDown):
				slowDown++
			case strings.Contains(m.Visible, "دلار"):
				answered++
			default:
				t.Errorf("group %d: unexpected reply %q", -1000-i, m.Visible)
			}
		}
	}
	if answered != burst || slowDown != 1 {
		t.Errorf("one user in %d groups over 2 replicas: %d answered, %d told to slow down; want %d and 1", groups, answered, slowDown, burst)
	}
}

// TestReplicasOneDigestPerChatWithLeaderKilled: forty groups subscribed,
// Telegram slow to take each digest; the leader is killed (SIGKILL) after a
// few, the other replica takes over within seconds and sends the rest, and
// no group gets two.
func TestReplicasOneDigestPerChatWithLeaderKilled(t *testing.T) {
	dbURL, schema := replicaDB(t)
	ctx := context.Background()
	// The subscriptions exist before the replicas start: the first
	// leader's first tick finds them all due (00:00 Tehran has passed).
	db, err := pgstate.Open(ctx, os.Getenv("DATABASE_URL"), pgstate.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	subs := pgstate.NewDigests(db)
	const groups = 40
	for i := range groups {
		if err := subs.Subscribe(int64(-2000-i), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	fake := telegramtest.New(t, telegramtest.Options{})
	fake.FailNext("sendMessage", 10*groups, telegramtest.Failure{Delay: 150 * time.Millisecond})
	c := newCluster(t, fake, dbURL, replicaSeeds(t), 2)

	total := func() (sum int, per map[int64]int) {
		per = map[int64]int{}
		for i := range groups {
			id := int64(-2000 - i)
			per[id] = len(fake.Messages(id))
			sum += per[id]
		}
		return sum, per
	}
	// Who leads?
	var leader, follower *replica
	deadline := time.Now().Add(30 * time.Second)
	for leader == nil {
		for i, r := range c.replicas {
			if leadsDigests.MatchString(r.logs.String()) {
				leader, follower = r, c.replicas[1-i]
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no replica leads the digest scheduler")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		if n, _ := total(); n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the leader sent no digests")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if k := strings.Count(follower.logs.String(), `msg="digest sent"`); k > 0 {
		t.Errorf("the follower sent %d digests while the leader lived", k)
	}
	c.kill(leader)
	killed := time.Now()
	sentBefore, _ := total()
	if sentBefore >= groups {
		t.Fatalf("the leader sent all %d digests before it was killed: nothing to take over", sentBefore)
	}
	c.waitMatch(follower, leadsDigests, 15*time.Second)
	takeover := time.Since(killed)

	// The follower sends the rest: every group but at most the one whose
	// digest was claimed and in flight when the leader died.
	deadline = time.Now().Add(60 * time.Second)
	for {
		n, _ := total()
		if n >= groups-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d digests sent of %d after the takeover", n, groups)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a digest sent twice would arrive by now
	n, per := total()
	if k := strings.Count(follower.logs.String(), `msg="digest sent"`); k == 0 || k > groups-sentBefore {
		t.Errorf("the follower sent %d digests after the takeover; %d were left", k, groups-sentBefore)
	}
	for id, k := range per {
		if k > 1 {
			t.Errorf("group %d got %d digests", id, k)
		}
	}
	t.Logf("%d digests before the kill, %d in all; the follower led %s after the kill", sentBefore, n, takeover.Round(time.Millisecond))
	if n < groups-1 {
		t.Errorf("%d of %d groups got their digest", n, groups)
	}
}

// TestReplicasReloadSeenByOther: an article added to the shared corpus
// and an admin's /reload on one replica; the other, told through
// PostgreSQL, syncs too: with the first replica killed, it answers from
// the new article.
func TestReplicasReloadSeenByOther(t *testing.T) {
	dbURL, _ := replicaDB(t)
	fake := telegramtest.New(t, telegramtest.Options{})
	seeds := replicaSeeds(t)
	c := newCluster(t, fake, dbURL, seeds, 2)

	if err := os.WriteFile(filepath.Join(seeds, "quake.txt"), []byte("date 2025-10-08 به گزارش ایسنا، زمین‌لرزه‌ای به بزرگی پنج ریشتر شهرستان بردسیر را لرزاند."), 0o644); err != nil {
		t.Fatal(err)
	}
	admin := tgbotapi.Chat{ID: 1, Type: "private"}
	c.post(text(admin, 1, "/reload"))
	wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := fake.WaitCalls(wctx, "editMessageText", 1); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(admin.ID)[0].Visible; !strings.Contains(got, chat.MsgReloadDone) {
		t.Fatalf("reload report: %q", got)
	}
	// The replica that did not reload is told, and syncs.
	var told, reloader *replica
	deadline := time.Now().Add(20 * time.Second)
	for told == nil {
		for i, r := range c.replicas {
			if strings.Contains(r.logs.String(), "index version announced: reloading") {
				told, reloader = r, c.replicas[1-i]
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no replica was told of the reload")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(reloader.logs.String(), "index version announced: reloading") {
		t.Errorf("the replica that reloaded was told of its own reload")
	}
	if c.weaviate {
		// The index is shared: the replica told reads the version the
		// other wrote, and writes none of its own.
		c.waitLog(told, `msg="shared index followed" articles=6`, 20*time.Second)
		if n := strings.Count(told.logs.String(), `msg="index synced"`); n != 1 {
			t.Errorf("the replica told synced %d times, want once (at start)", n)
		}
	} else {
		// Once its sync has ended (six articles), only it is left to answer.
		c.waitLog(told, `msg="index synced" articles=6`, 20*time.Second)
	}
	c.kill(reloader)
	reader := tgbotapi.Chat{ID: 700, Type: "private"}
	if r := c.post(text(reader, reader.ID, "زمین‌لرزه بردسیر")); r != told {
		t.Fatalf("posted to %s, want %s", r.name, told.name)
	}
	msgs, err := fake.WaitMessages(wctx, reader.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Visible, "بردسیر") {
		t.Errorf("replica %s answered %q: not from the article added before the reload", told.name, msgs[0].Visible)
	}
}

// TestReplicasShareGlobalPace: sixty readers ask at once, their updates
// spread over two replicas; whichever replica answers, the bot's messages
// keep to Telegram's thirty a second in all (each replica's own pacer
// would let thirty through for each).
func TestReplicasShareGlobalPace(t *testing.T) {
	dbURL, _ := replicaDB(t)
	fake := telegramtest.New(t, telegramtest.Options{})
	c := newCluster(t, fake, dbURL, replicaSeeds(t), 2)
	const readers = 60
	var wg sync.WaitGroup
	for i := range readers {
		ch := tgbotapi.Chat{ID: int64(3000 + i), Type: "private"}
		wg.Go(func() { c.post(text(ch, ch.ID, "قیمت دلار چه شد؟")) })
	}
	wg.Wait()
	inboxSettled(t, dbURL, readers, 60*time.Second)
	calls := fake.Calls("sendMessage")
	if len(calls) != readers {
		t.Fatalf("%d messages, want %d", len(calls), readers)
	}
	slices.SortFunc(calls, func(a, b telegramtest.Call) int { return a.Time.Compare(b.Time) })
	most := 0
	for i := range calls {
		j := i
		for j < len(calls) && calls[j].Time.Sub(calls[i].Time) < time.Second {
			j++
		}
		most = max(most, j-i)
	}
	span := calls[len(calls)-1].Time.Sub(calls[0].Time)
	t.Logf("%d messages over %s, at most %d in a second", len(calls), span.Round(time.Millisecond), most)
	if most > 30 {
		t.Errorf("%d messages in one second from the two replicas, want at most 30", most)
	}
}
