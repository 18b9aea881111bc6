// Package persian is the leaf package for Persian text: the canonical form
// used for matching (applied identically to documents and queries), tokens,
// sentence splitting, light suffix stripping, stopwords, and the display
// helpers (Persian digits, Jalali dates, citation markers).
//
// It imports nothing from this module.
package persian
