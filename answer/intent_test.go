package answer

import "testing"

func TestRouteMessage(t *testing.T) {
	tests := []struct {
		give      string
		intent    Intent
		wantText  string // the question or the summary's period and topic
		wantReply string
	}{
		// Greetings, thanks and small talk: a reply, no search.
		{"سلام", IntentReply, "", MsgGreeting},
		{"سلام!", IntentReply, "", MsgGreeting},
		{"سلاااام", IntentReply, "", MsgGreeting},
		{"سلام علیکم", IntentReply, "", MsgGreeting},
		{"درود", IntentReply, "", MsgGreeting},
		{"صبح بخیر", IntentReply, "", MsgGreeting},
		{"صبح به خیر 🌹", IntentReply, "", MsgGreeting},
		{"وقت بخیر", IntentReply, "", MsgGreeting},
		{"Hi", IntentReply, "", MsgGreeting},
		{"hello!", IntentReply, "", MsgGreeting},
		{"ممنون", IntentReply, "", MsgThanks},
		{"ممنونم.", IntentReply, "", MsgThanks},
		{"خیلی ممنون", IntentReply, "", MsgThanks},
		{"مرسی", IntentReply, "", MsgThanks},
		{"مرسیییی", IntentReply, "", MsgThanks},
		{"سپاس‌گزارم", IntentReply, "", MsgThanks},
		{"سپاسگزارم", IntentReply, "", MsgThanks},
		{"متشکرم", IntentReply, "", MsgThanks},
		{"دستت درد نکنه", IntentReply, "", MsgThanks},
		{"دمت گرم", IntentReply, "", MsgThanks},
		{"thanks", IntentReply, "", MsgThanks},
		{"Thank you!", IntentReply, "", MsgThanks},
		{"خوبی؟", IntentReply, "", MsgHowAreYou},
		{"سلام، خوبی؟", IntentReply, "", MsgHowAreYou},
		{"حالت چطوره؟", IntentReply, "", MsgHowAreYou},
		{"چطوری", IntentReply, "", MsgHowAreYou},
		{"تو کی هستی؟", IntentReply, "", MsgAbout},
		{"اسمت چیه؟", IntentReply, "", MsgAbout},
		{"چه کاری از دستت برمیاد؟", IntentReply, "", MsgAbout},
		{"راهنما", IntentReply, "", MsgAbout},
		{"چه کارهایی می‌تونی بکنی؟", IntentReply, "", MsgAbout},
		{"چیکار میتونی بکنی", IntentReply, "", MsgAbout},
		{"کمک", IntentReply, "", MsgAbout},
		{"خداحافظ", IntentReply, "", MsgBye},
		{"خدانگهدار", IntentReply, "", MsgBye},
		{"شب خوش", IntentReply, "", MsgBye},
		{"باشه", IntentReply, "", MsgAck},
		{"اوکی", IntentReply, "", MsgAck},
		{"عالی بود", IntentReply, "", MsgAck},
		{"ممنون، عالی بود", IntentReply, "", MsgThanks},
		{"👍", IntentReply, "", MsgAck},
		// What the thanks are for, how the bot is addressed, spoken forms
		// and kind words are small talk too.
		{"مرسی از جوابت", IntentReply, "", MsgThanks},
		{"ممنون بابت جواب", IntentReply, "", MsgThanks},
		{"چطوری رفیق؟", IntentReply, "", MsgHowAreYou},
		{"سلام، خوبین؟", IntentReply, "", MsgHowAreYou},
		{"سلام داداش", IntentReply, "", MsgGreeting},
		{"ربات خوبی هستی", IntentReply, "", MsgKind},
		{"خیلی باحالی", IntentReply, "", MsgKind},
		{"سلام رفیق، قیمت دلار چنده؟", IntentQuestion, "قیمت دلار چنده", ""},
		{"مرسی از جوابت، یورو چند شد؟", IntentQuestion, "یورو چند شد", ""},
		{"سلام، جان باختگان سیل چند نفرند؟", IntentQuestion, "جان باختگان سیل چند نفرند", ""},

		// The latest news.
		{"چه خبر؟", IntentSummary, "", ""},
		{"چه خبر", IntentSummary, "", ""},
		{"چه خبرا؟", IntentSummary, "", ""},
		{"چخبر", IntentSummary, "", ""},
		{"سلام، چه خبر؟", IntentSummary, "", ""},
		{"خب دیگه چه خبر؟", IntentSummary, "", ""},
		{"چه خبر جدید؟", IntentSummary, "", ""},
		{"آخرین اخبار", IntentSummary, "", ""},
		{"آخرین اخبار رو بگو", IntentSummary, "", ""},
		{"اخرین خبرها", IntentSummary, "", ""},
		{"تازه‌ترین اخبار", IntentSummary, "", ""},
		{"تازه ترین اخبار", IntentSummary, "", ""},
		{"جدیدترین خبرها چیه؟", IntentSummary, "", ""},
		{"خبر جدید چی داری؟", IntentSummary, "", ""},
		{"خبر جدید چی داری", IntentSummary, "", ""},
		{"خبر تازه چی داری؟", IntentSummary, "", ""},
		{"اخبار جدید", IntentSummary, "", ""},
		{"اخبار", IntentSummary, "", ""},
		{"خلاصه اخبار", IntentSummary, "", ""},
		{"اخبار رو خلاصه کن", IntentSummary, "", ""},
		{"مهم‌ترین خبرها", IntentSummary, "", ""},
		{"what's new?", IntentSummary, "", ""},

		// The news of a period.
		{"اخبار دیروز", IntentSummary, "دیروز", ""},
		{"اخبار ۱۳ مهر", IntentSummary, "۱۳ مهر", ""},
		{"اخبار ۸ مهر", IntentSummary, "۸ مهر", ""},
		{"خبرهای هفته گذشته", IntentSummary, "هفته گذشته", ""},
		{"خلاصه اخبار دیروز", IntentSummary, "دیروز", ""},
		{"اخبار امروز چیه؟", IntentSummary, "امروز", ""},
		{"دیروز چه خبر بود؟", IntentSummary, "دیروز", ""},
		{"امروز چه خبر؟", IntentSummary, "امروز", ""},
		{"۱۳ مهر چه خبر بود؟", IntentSummary, "۱۳ مهر", ""},
		{"دیروز چه اتفاقی افتاد؟", IntentSummary, "دیروز", ""},
		{"۱۵ مهر", IntentSummary, "۱۵ مهر", ""},
		{"از ۱ مهر تا ۱۰ مهر", IntentSummary, "از ۱ مهر تا ۱۰ مهر", ""},

		// The news of a topic.
		{"درباره بورس چه خبر؟", IntentSummary, "بورس", ""},
		{"از بورس چه خبر؟", IntentSummary, "بورس", ""},
		{"در مورد سیل مازندران چه خبر؟", IntentSummary, "سیل مازندران", ""},
		{"راجع به تیم ملی چه خبر؟", IntentSummary, "تیم ملی", ""},
		{"و از داعش چه خبر؟", IntentSummary, "داعش", ""},
		{"چه خبر از بازار ارز؟", IntentSummary, "بازار ارز", ""},
		{"بورس چه خبر؟", IntentSummary, "بورس", ""},
		{"اخبار اقتصادی", IntentSummary, "اقتصادی", ""},
		{"اخبار سیل مازندران", IntentSummary, "سیل مازندران", ""},
		{"آخرین خبرهای مربوط به مترو", IntentSummary, "مترو", ""},
		{"دیروز از سیل چه خبر؟", IntentSummary, "دیروز از سیل", ""},
		{"درباره ترکمنستان بیشتر بگو", IntentSummary, "ترکمنستان", ""},
		{"در مورد سیل مازندران توضیح بده", IntentSummary, "سیل مازندران", ""},

		// Questions, with the greeting or thanks around them taken off.
		{"قیمت دلار چنده؟", IntentQuestion, "قیمت دلار چنده؟", ""},
		{"سلام، قیمت دلار چنده؟", IntentQuestion, "قیمت دلار چنده", ""},
		{"سلام قیمت دلار چنده؟ ممنون", IntentQuestion, "قیمت دلار چنده", ""},
		{"راستی قیمت سکه چند شد؟", IntentQuestion, "راستی قیمت سکه چند شد؟", ""},
		{"سلامت روان دانشجویان چه وضعی دارد؟", IntentQuestion, "سلامت روان دانشجویان چه وضعی دارد؟", ""},
		{"چرا تردد شناورها ممنوع شد؟", IntentQuestion, "چرا تردد شناورها ممنوع شد؟", ""},
		{"سازمان هواشناسی از چه خبر داد؟", IntentQuestion, "سازمان هواشناسی از چه خبر داد؟", ""},
		{"وزیر دفاع عراق درباره آمریکا چه گفت؟", IntentQuestion, "وزیر دفاع عراق درباره آمریکا چه گفت؟", ""},
		{"نتیجه بازی استقلال و سپاهان چه شد؟", IntentQuestion, "نتیجه بازی استقلال و سپاهان چه شد؟", ""},
		{"کمک به سیل‌زدگان مازندران چقدر بود؟", IntentQuestion, "کمک به سیل‌زدگان مازندران چقدر بود؟", ""},
		{"اخبار سیل چه می‌گوید؟", IntentQuestion, "اخبار سیل چه می‌گوید؟", ""},
		{"خبر قطعی برق تهران درست است؟", IntentQuestion, "خبر قطعی برق تهران درست است؟", ""},
		{"نه، منظورم قیمت سکه بود", IntentQuestion, "نه، منظورم قیمت سکه بود", ""},
		{"و درباره داعش چه گفت؟", IntentQuestion, "و درباره داعش چه گفت؟", ""},
		{"What is the price of the dollar?", IntentQuestion, "What is the price of the dollar?", ""},
		{"درباره", IntentQuestion, "درباره", ""},
		{"بیشتر بگو", IntentQuestion, "بیشتر بگو", ""},
		{"", IntentQuestion, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got := RouteMessage(tt.give)
			if got.Intent != tt.intent || got.Text != tt.wantText || got.Reply != tt.wantReply {
				t.Errorf("RouteMessage(%q) = %+v, want intent %d text %q reply %q", tt.give, got, tt.intent, tt.wantText, tt.wantReply)
			}
		})
	}
}
