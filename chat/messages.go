package chat

import "github.com/khabar/khabar/corpus/feed"

// Everything a chat user reads from this package, in one place. Texts are
// plain: each transport renders them (Telegram escapes them for HTML).
// The exported ones are those the transport shows itself (MsgInternalError,
// MsgUploadFailed) or its tests compare its messages with.
const (
	// Unexported names of exported texts, for upload.go.
	msgUploadFailed    = MsgUploadFailed
	msgUploadRefused   = MsgUploadRefused
	msgUploadBadType   = MsgUploadBadType
	msgUploadTooBig    = MsgUploadTooBig
	msgUploadInvalid   = MsgUploadInvalid
	msgUploadDuplicate = MsgUploadDuplicate
	msgUploadSaving    = MsgUploadSaving

	MsgWelcome = "سلام! من «خبر» هستم. پرسش خود را درباره اخبار بنویسید تا از میان منابع خبری پاسخ بدهم و منبع هر جمله را هم بگویم.\n\nبرای راهنما /help را بفرستید."
	// msgHelpHeading opens /help; each command's help line follows.
	msgHelpHeading      = "راهنمای «خبر»:\n• پرسش خود را بنویسید؛ مثلاً: وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"
	helpAsk             = "/ask پرسش — پرسیدن (در گروه‌ها: /ask@نام‌ربات پرسش، یا پاسخ به پیام ربات، یا نام بردن از ربات)"
	helpSummary         = "/summary — خلاصه تازه‌ترین اخبار"
	helpDigest          = "/digest ۰۸:۰۰ — خلاصه روزانه اخبار هر روز در این ساعت به وقت تهران (در گروه‌ها با مدیران گروه)؛ /digest off لغو؛ /digest تنظیم کنونی"
	helpSources         = "/sources — متن منابعِ آخرین پاسخ، با امتیاز هر کدام"
	helpHelp            = "/help — همین راهنما"
	msgHelpAdminHeading = "دستورهای مدیر:"
	helpReload          = "/reload — بارگذاری دوباره منابع و گزارش تغییرات"
	helpStats           = "/stats — آمار نمایه و ربات"
	helpFeeds           = "/feeds — خبرخوان‌ها: فهرست، /feeds add نشانی [نام]، /feeds remove نشانی یا شماره (در گفت‌وگوی خصوصی)"
	helpChannels        = "/channels — کانال‌هایی که ربات مدیر آن‌هاست و پست‌هایشان به منابع افزوده می‌شود"
	msgHelpUpload       = "فرستادن پرونده .txt، .md یا .jsonl در گفت‌وگوی خصوصی — افزودن خبر"
	MsgNoLastAnswer     = "هنوز پرسشی نپرسیده‌اید؛ پس از پاسخ، /sources منابع آن را نشان می‌دهد."
	msgNoPassages       = "برای آخرین پرسش متنی در منابع پیدا نشد."
	MsgSourcesHeading   = "منابع آخرین پاسخ:"
	MsgScore            = "امتیاز"
	msgUnknownCommand   = "این دستور را نمی‌شناسم. برای راهنما /help را بفرستید."
	// MsgInternalError is the reply when a question could not be answered.
	MsgInternalError = "متأسفانه در پاسخ به این پرسش خطایی رخ داد. لطفاً کمی بعد دوباره بپرسید."
	MsgAskUsage      = "پرسش خود را پس از /ask بنویسید؛ مثلاً: /ask قیمت دلار امروز چند است؟"

	// MsgTooLong takes the limit in Persian digits.
	MsgTooLong  = "پرسش شما بیش از اندازه بلند است (بیشتر از %s نویسه). لطفاً آن را کوتاه‌تر و در یک جمله بپرسید."
	MsgSlowDown = "پرسش‌های شما کمی زیاد شده است. لطفاً یک دقیقه صبر کنید و دوباره بپرسید."

	MsgAdminOnly          = "این دستور فقط برای مدیران ربات است."
	msgSummaryUnavailable = "خلاصه اخبار فعلاً در دسترس نیست."
	msgSummaryFailed      = "متأسفانه در تهیه خلاصه خطایی رخ داد. لطفاً کمی بعد دوباره امتحان کنید."

	MsgDigestUnavailable = "خلاصه روزانه در این اجرا در دسترس نیست."
	MsgDigestUsage       = "زمان را به‌صورت ساعت:دقیقه، ۲۴ساعته و به وقت تهران بنویسید؛ مثلاً /digest ۰۸:۰۰ یا /digest 20:30. برای لغو: /digest off (یا /digest خاموش)."
	MsgDigestNone        = "خلاصه روزانه برای این گفت‌وگو تنظیم نشده است.\n" + MsgDigestUsage
	// MsgDigestCurrent and MsgDigestSet take the time in Persian digits.
	MsgDigestCurrent     = "خلاصه روزانه اخبار هر روز ساعت %s به وقت تهران در این گفت‌وگو فرستاده می‌شود (اگر خبر تازه‌ای باشد). برای لغو: /digest off"
	MsgDigestSet         = "از این پس خلاصه روزانه اخبار هر روز ساعت %s به وقت تهران در این گفت‌وگو فرستاده می‌شود؛ روزهایی که خبر تازه‌ای نباشد چیزی فرستاده نمی‌شود."
	MsgDigestOff         = "خلاصه روزانه لغو شد."
	MsgDigestWasOff      = "خلاصه روزانه برای این گفت‌وگو تنظیم نشده بود."
	MsgDigestRefused     = "تنظیم خلاصه روزانه در گروه فقط برای مدیران گروه و مدیران ربات است."
	MsgDigestCheckFailed = "نتوانستم بررسی کنم که مدیر این گروه هستید. لطفاً کمی بعد دوباره امتحان کنید."
	msgDigestFailed      = "ذخیره تنظیم خلاصه روزانه ناموفق بود. لطفاً کمی بعد دوباره امتحان کنید."

	MsgReloading          = "در حال بارگذاری…"
	msgReloadUnavailable  = "بارگذاری دوباره در این اجرا در دسترس نیست."
	MsgReloadDone         = "بارگذاری انجام شد"
	MsgReloadFailed       = "بارگذاری ناموفق بود؛ نمایه قبلی همچنان پاسخ می‌دهد."
	msgReloadInterrupted  = "بارگذاری پیش از پایان متوقف شد (ربات در حال خاموش شدن است)؛ نمایه قبلی همچنان پاسخ می‌دهد."
	MsgReloadNoArticles   = "هیچ خبر قابل استفاده‌ای در منابع پیدا نشد."
	msgReportArticles     = "خبرها"
	msgReportChunks       = "بخش‌ها"
	MsgReportAdded        = "افزوده"
	msgReportUpdated      = "به‌روزشده"
	msgReportRemoved      = "حذف‌شده"
	msgReportUnchanged    = "بی‌تغییر"
	msgReportEmbedded     = "بردارسازی‌شده"
	MsgReportSkipped      = "ردشده"
	msgReportRepaired     = "اصلاح‌شده"
	msgReportSnapshotKept = "نسخه ذخیره نشد (نسخه قبلی نگه داشته شد)."
	msgReportSnapshotNone = "نسخه ذخیره نشد و نسخه قبلی هم نیست: راه‌اندازی بعدی نمایه را از نو می‌سازد."
	msgReportMore         = "و %s مورد دیگر"
	MsgSeconds            = "ثانیه"

	MsgUploadRefused     = "افزودن خبر با پرونده فقط برای مدیران ربات است."
	msgUploadUnavailable = "افزودن پرونده در این اجرا ممکن نیست (پوشه منابع تعیین نشده است)."
	MsgUploadBadType     = "فقط پرونده‌های .txt، .md و .jsonl پذیرفته می‌شوند."
	MsgUploadTooBig      = "پرونده بزرگ‌تر از حد مجاز است (حداکثر %s کیلوبایت)."
	// MsgUploadFailed is the reply when an upload could not be received or saved.
	MsgUploadFailed    = "دریافت یا ذخیره پرونده ناموفق بود. لطفاً دوباره بفرستید."
	MsgUploadInvalid   = "در این پرونده خبر قابل استفاده‌ای پیدا نشد:"
	MsgUploadDuplicate = "این پرونده پیش‌تر افزوده شده است؛ تغییری لازم نیست."
	MsgUploadSaving    = "پرونده دریافت شد (%s خبر)؛ در حال افزودن و بارگذاری…"
	msgUploadSaved     = "پرونده با نام %s ذخیره شد."

	MsgStatsHeading      = "آمار «خبر»:"
	MsgStatsIndex        = "نمایه: %s خبر در %s بخش"
	msgStatsBuilt        = "آخرین ساخت نمایه: %s"
	msgStatsUptime       = "زمان کار: %s"
	MsgStatsAnswered     = "پرسش‌های پاسخ‌داده: %s (بی‌پاسخ در منابع: %s)"
	msgStatsLimited      = "پرسش‌های ردشده به‌سبب محدودیت: %s"
	msgStatsErrors       = "خطاها: %s"
	msgStatsReloads      = "بارگذاری‌ها: %s"
	msgStatsSends        = "پیام‌های فرستاده: %s (انتظار برای محدودیت تلگرام: %s)"
	msgFeedsRefused      = "فهرست خبرخوان‌ها را فقط مدیران ربات می‌بینند و تغییر می‌دهند. برای پرسیدن درباره اخبار کافی است پرسش خود را بنویسید."
	msgFeedsPrivateOnly  = "لطفاً /feeds را در گفت‌وگوی خصوصی با ربات بفرستید."
	msgFeedsUnavailable  = "خبرخوان‌ها در این اجرا در دسترس نیستند (پوشه داده‌ها، DATA_DIR، تعیین نشده است)."
	msgFeedsUsage        = "• /feeds — فهرست خبرخوان‌ها\n• /feeds add نشانی [نام] — افزودن خبرخوان\n• /feeds remove نشانی یا شماره — حذف خبرخوان"
	msgFeedsNone         = "هنوز خبرخوانی دنبال نمی‌شود."
	msgFeedsHeading      = "خبرخوان‌ها (%s):"
	msgFeedsOriginConfig = "از تنظیمات"
	msgFeedsOriginAdmin  = "افزوده مدیر"
	msgFeedsNeverFetched = "هنوز دریافت نشده است"
	// msgFeedsLastFetch takes the time and the status.
	msgFeedsLastFetch = "آخرین دریافت: %s به وقت تهران — %s"
	msgFeedsFailures  = " (خطای پیاپی: %s)"
	// msgFeedsCounts takes the items of the last fetch, the articles added
	// in all and those kept now.
	msgFeedsCounts      = "موارد آخرین دریافت: %s · خبرهای افزوده: %s · خبرهای موجود: %s"
	msgFeedsNextPoll    = "دریافت بعدی: %s"
	msgFeedsNextPollNow = "دریافت بعدی: به‌زودی"
	msgFeedsBadURL      = "این نشانی معتبر نیست؛ نشانی کامل خبرخوان را با http:// یا https:// بنویسید."
	msgFeedsDuplicate   = "این خبرخوان پیش‌تر در فهرست است."
	msgFeedsNotFound    = "چنین خبرخوانی در فهرست نیست؛ شماره یا نشانی را از /feeds ببینید."
	msgFeedsFailed      = "ذخیره تغییر فهرست خبرخوان‌ها ناموفق بود. لطفاً کمی بعد دوباره امتحان کنید."
	// msgFeedsAdded takes the outlet and the URL.
	msgFeedsAdded = "خبرخوان «%s» افزوده شد:\n%s\nچند لحظه دیگر دریافت می‌شود و خبرهایش به منابع می‌پیوندد."
	// msgFeedsRemoved takes the outlet, the URL and its article count.
	msgFeedsRemoved = "خبرخوان «%s» حذف شد:\n%s\n(%s خبر آن از منابع برداشته می‌شود)"

	msgChannelsHeading     = "کانال‌های منبع خبر:"
	msgChannelsNone        = "هنوز کانالی ثبت نشده است. ربات را مدیر یک کانال کنید تا پست‌های تازه آن به منابع خبر افزوده شود."
	msgChannelsNoneCounted = "هیچ کانالی اکنون شمرده نمی‌شود."
	msgChannelsOther       = "کانال‌هایی که پست‌هایشان اکنون شمرده نمی‌شود:"
	msgChannelsPrivateOnly = "این دستور را در گفت‌وگوی خصوصی با ربات بفرستید."
	msgChannelsUnavailable = "فهرست کانال‌ها در این اجرا در دسترس نیست: پست‌های کانال نگه داشته نمی‌شوند."
	msgChannelUntitled     = "بی‌نام"
	// msgChannelID takes the channel's numeric id (ASCII, to copy into
	// SOURCE_CHANNEL_IDS).
	msgChannelID = "شناسه %d"
	// msgChannelPosts takes the post count, the date and the time of the
	// newest post, in Persian digits.
	msgChannelPosts     = "%s پست؛ آخرین پست %s ساعت %s به وقت تهران"
	msgChannelNoPosts   = "هنوز پستی ذخیره نشده"
	msgChannelNotAdmin  = " (ربات دیگر مدیر این کانال نیست)"
	msgChannelNotListed = " (در SOURCE_CHANNEL_IDS نیست)"

	msgHours   = "ساعت"
	msgMinutes = "دقیقه"
	msgAnd     = " و "
)

// Command descriptions registered with setMyCommands.
const (
	descStart   = "آغاز و معرفی ربات"
	descHelp    = "راهنما"
	descAsk     = "پرسیدن درباره اخبار"
	descSummary = "خلاصه تازه‌ترین اخبار"
	descSources = "منابع آخرین پاسخ با امتیاز"
	descDigest  = "خلاصه روزانه اخبار در ساعت دلخواه؛ مثلاً /digest 08:00"
	descReload  = "بارگذاری دوباره منابع (مدیر)"
	descStats   = "آمار ربات (مدیر)"
	descFeeds   = "خبرخوان‌ها: فهرست، افزودن و حذف (مدیر)"
	// descChannels is registered for admins when channel posts are kept.
	descChannels = "کانال‌های منبع خبر (مدیر)"
)

// feedStatusNames are the Persian names of the feed fetch statuses.
var feedStatusNames = map[string]string{
	feed.StatusOK:          "موفق",
	feed.StatusNotModified: "بی‌تغییر (۳۰۴)",
	feed.StatusUnchanged:   "بی‌تغییر",
	feed.StatusGone:        "دیگر در دسترس نیست (۴۰۴/۴۱۰)",
	feed.StatusRateLimited: "محدودیت درخواست (۴۲۹)",
	feed.StatusUnavailable: "سرور در دسترس نیست (۵xx)",
	feed.StatusHTTPError:   "خطای HTTP",
	feed.StatusTimeout:     "پایان مهلت پاسخ",
	feed.StatusTooLarge:    "بیش از اندازه بزرگ",
	feed.StatusNotAFeed:    "خبرخوان نیست (صفحه HTML یا قالب ناشناخته)",
	feed.StatusMalformed:   "خبرخوان خراب",
	feed.StatusEncoding:    "نویسه‌گذاری ناخوانا",
	feed.StatusNetwork:     "خطای شبکه",
	"canceled":             "نیمه‌کاره (خاموش شدن ربات)",
}
