#pragma once
// HTTP request-target normalisation for inspection (the buffer Suricata calls
// http.uri): what a signature matches is the path the server will resolve,
// not the bytes an evader chose. Hot path: never allocates, never throws,
// writes only into the caller's buffer. Pure function of the bytes.
//
// Order of operations, and the choices where RFC 3986 / 9112 are silent
// (modelled on libhtp's and Snort http_inspect's defaults, not their code):
//  1. absolute-form (`http://host/p`, `https://...`, scheme case-insensitive):
//     scheme and authority are dropped, normalisation starts at the path;
//     an empty path becomes "/". Other forms are normalised as given
//     (authority-form for CONNECT and "*" are left to the caller).
//  2. The path/query split is the first raw '?', found before decoding, so an
//     encoded %3F stays part of the path.
//  3. Percent-decoding: %xx; IIS %uXXXX ('u' or 'U'): code points below 0x80
//     become that byte, fullwidth U+FF01..U+FF5E become their ASCII twin
//     (what IIS best-fit mapping does, e.g. %uFF0E is '.'), anything else
//     becomes '?' (libhtp's default replacement; we never emit UTF-8, so the
//     output is never longer than the input). An invalid escape is kept
//     literally ("%zz" stays "%zz").
//  4. Double encoding: if the decoded text still holds a valid escape, it can
//     only have been built from decoded bytes (%2541, %%34%31), so it is
//     decoded once more and kDoubleEncoded is set. A third level stays as is.
//  5. Path only: '\' becomes '/', runs of '/' collapse to one, "." and ".."
//     segments are resolved (RFC 3986 5.2.4) and ".." never climbs above the
//     root (kTraversalAboveRoot). This runs after decoding, so %2e%2e%2f and
//     %5c count. Case is kept: signatures use nocase.
//  6. Query only: '+' becomes a space before decoding (so %2B stays '+').
//  7. A NUL (raw or decoded) is kept in the output and flagged.
//  8. Output longer than the buffer is cut at the buffer size (kOverlong).

#include <cstdint>

namespace rampart::dp {

// Anomalies found while normalising; a bit set, reported alongside the
// buffer so rules and EVE records can name them.
namespace uri_flag {
inline constexpr uint32_t kInvalidEscape = 1u << 0;       // '%' not followed by 2 hex (or u + 4 hex)
inline constexpr uint32_t kDoubleEncoded = 1u << 1;       // a second decoding pass changed the text
inline constexpr uint32_t kUEncoded = 1u << 2;            // IIS %uXXXX seen
inline constexpr uint32_t kNonAsciiUnicode = 1u << 3;     // %u above 0x7f (mapped to ASCII or '?')
inline constexpr uint32_t kNulByte = 1u << 4;             // raw or decoded NUL
inline constexpr uint32_t kTraversalAboveRoot = 1u << 5;  // ".." past "/"
inline constexpr uint32_t kDotSegment = 1u << 6;          // "." or ".." segment resolved
inline constexpr uint32_t kEmptySegment = 1u << 7;        // "//" collapsed
inline constexpr uint32_t kBackslash = 1u << 8;           // '\' in the path
inline constexpr uint32_t kOverlong = 1u << 9;            // output cut at the buffer size
inline constexpr uint32_t kAbsoluteForm = 1u << 10;       // scheme://authority prefix dropped
}  // namespace uri_flag

struct UriNormResult {
  uint32_t len = 0;    // bytes written to `out`
  uint32_t flags = 0;  // uri_flag bits
};

// Normalises `raw[0..raw_len)` into `out[0..out_cap)`. Any thread; no state.
// `out` must not overlap `raw`. Output is never longer than the input plus
// one byte (the "/" an empty absolute-form path gets).
UriNormResult normalize_uri(const uint8_t* raw, uint32_t raw_len, uint8_t* out, uint32_t out_cap);

// Name of one uri_flag bit for logs and EVE ("double_encoded"), or "unknown".
const char* uri_flag_name(uint32_t bit);

}  // namespace rampart::dp
