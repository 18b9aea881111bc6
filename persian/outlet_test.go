package persian

import "testing"

func TestOutletFromLead(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"tabnak", "به گزارش تابناک، وزیر دفاع عراق گفت.", "تابناک"},
		{"agency fars", "به گزارش خبرگزاری فارس، معاون وزیر نفت گفت.", "فارس"},
		{"agency colon", "خبرگزاری فارس: رئیس اداره گفت.", "فارس"},
		{"arabic yeh agency colon", "خبرگزاري فارس: رئيس اداره كل گفت.", "فارس"},
		{"irna comma", "به گزارش ایرنا، وزیر عازم شد.", "ایرنا"},
		{"irna az", "به گزارش ایرنا از مشهد، صادرات افزایش یافت.", "ایرنا"},
		{"mehr", "به گزارش خبرگزاری مهر، تراز آب کاهش یافت.", "مهر"},
		{"isna", "به گزارش ایسنا، تیم ملی قهرمان شد.", "ایسنا"},
		{"two words", "به گزارش همشهری آنلاین، نمایشگاه گشوده شد.", "همشهری آنلاین"},
		{"khabaronline", "به گزارش خبرآنلاین، بازار آرام بود.", "خبرآنلاین"},
		{"reporter", "به گزارش خبرنگار ایلنا، کارگران تجمع کردند.", "ایلنا"},
		{"reporter and agency", "به گزارش خبرنگار سیاسی خبرگزاری فارس، مجلس تشکیل شد.", "فارس"},
		{"three words", "به گزارش باشگاه خبرنگاران جوان، بارش آغاز شد.", "باشگاه خبرنگاران جوان"},
		{"latin comma", "به گزارش ایسنا, تیم ملی قهرمان شد.", "ایسنا"},
		{"be naghl az", "به گزارش فارس به نقل از وزارت ارتباطات، خدمات ارائه شد.", "فارس"},
		{"arabic kaf and yeh", "به گزارش خبرگزاري ايلنا، كارگران تجمع كردند.", "ايلنا"},
		{"zwnj variant", "به گزارش همشهری‌آنلاین، خبر رسید.", "همشهری‌آنلاین"},
		{"bare colon", "ایسنا: تیم ملی قهرمان شد.", "ایسنا"},
		{"kasra and tatweel", "به گزارشِ تابنـاک، خبر رسید.", "تابنـاک"},
		{"not a lead: four words", "به گزارش سازمان ملل متحد امروز، جنگ ادامه دارد.", ""},
		{"not a lead: received reports", "به گزارش رسیده، سیل خسارت زد.", ""},
		{"not a lead: our reporter", "به گزارش خبرنگار ما، سیل خسارت زد.", ""},
		{"not a lead: stopword", "به گزارش این مرکز، تورم کاهش یافت.", ""},
		{"not a lead: speaker", "وزیر کشور: انتخابات به موقع برگزار می‌شود.", ""},
		{"not a lead: said", "رئیس سازمان گفت: قیمت‌ها ثابت می‌ماند.", ""},
		{"not a lead: time", "ساعت 10:30 جلسه آغاز شد.", ""},
		{"not a lead: ordinary sentence", "قیمت مسکن در تهران افزایش یافت، اما خرید کم شد.", ""},
		{"not a lead: not at the start", "امروز به گزارش تابناک، خبری رسید.", ""},
		{"not a lead: line break", "به گزارش تابناک\n، خبر.", ""},
		{"not a lead: no end", "به گزارش تابناک", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OutletFromLead(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWithoutLead(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"tabnak", "به گزارش تابناک، وزیر دفاع عراق گفت.", "وزیر دفاع عراق گفت."},
		{"agency colon", "خبرگزاری فارس: هشدار سیل صادر شد.", "هشدار سیل صادر شد."},
		{"from a place", "به گزارش ایرنا از تهران، باران بارید.", "باران بارید."},
		{"no lead", "وزیر کشور: انتخابات برگزار می‌شود.", "وزیر کشور: انتخابات برگزار می‌شود."},
		{"lead only", "به گزارش تابناک،", "به گزارش تابناک،"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WithoutLead(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
