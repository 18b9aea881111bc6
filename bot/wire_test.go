package bot

import "testing"

func TestDecodeUpdate(t *testing.T) {
	tests := []struct {
		name  string
		give  string
		topic int
		text  string
	}{
		{"topic message", `{"update_id":5,"message":{"message_id":1,"message_thread_id":9,"is_topic_message":true,"chat":{"id":-1,"type":"supergroup","is_forum":true},"text":"q"}}`, 9, "q"},
		{"reply thread of a plain group", `{"update_id":6,"message":{"message_id":2,"message_thread_id":1,"chat":{"id":-1,"type":"supergroup"},"text":"q"}}`, 0, "q"},
		{"no message", `{"update_id":7,"my_chat_member":{"chat":{"id":-1,"type":"group"},"from":{"id":1},"date":0,"old_chat_member":{"status":"left"},"new_chat_member":{"status":"member"}}}`, 0, ""},
		{"odd extra field", `{"update_id":8,"message":{"message_id":3,"message_thread_id":"x","is_topic_message":true,"chat":{"id":-1,"type":"supergroup"},"text":"q"}}`, 0, "q"},
	}
	b := &Bot{log: discard()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := b.decodeUpdate([]byte(tt.give))
			if err != nil {
				t.Fatal(err)
			}
			if got := b.topics.take(u.UpdateID); got != tt.topic {
				t.Errorf("topic %d, want %d", got, tt.topic)
			}
			if u.Message != nil && u.Message.Text != tt.text {
				t.Errorf("text %q, want %q", u.Message.Text, tt.text)
			}
		})
	}
	if _, err := b.decodeUpdate([]byte(`{"update_id":`)); err == nil {
		t.Errorf("a truncated update decoded")
	}
}

func TestTopicMemoIsBounded(t *testing.T) {
	var m topicMemo
	for id := 1; id <= 2*len(m.ring); id++ {
		m.put(id, 1)
	}
	if n := len(m.m); n != len(m.ring) {
		t.Errorf("%d topics kept, want %d", n, len(m.ring))
	}
	if m.take(1) != 0 || m.take(2*len(m.ring)) != 1 {
		t.Errorf("the oldest is kept or the newest lost")
	}
}
