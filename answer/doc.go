// Package answer turns a question and retrieved passages into a Persian answer
// with inline citations and a list of the cited sources: extractively offline,
// generatively through an OpenAI-compatible API when one is configured.
//
// It imports retrieval, persian and llm (the chat request type); it knows
// nothing of Telegram.
package answer
