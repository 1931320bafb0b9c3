#include "dataplane/l7/http/uri_normalizer.h"

#include <cstring>

#include "common/macros.h"

namespace rampart::dp {
namespace {

RAMPART_ALWAYS_INLINE int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

RAMPART_ALWAYS_INLINE bool is_hex(uint8_t c) { return hex_value(c) >= 0; }

// Length of the valid escape starting at p[0] == '%' (3 or 6), or 0.
uint32_t escape_len(const uint8_t* p, uint32_t avail) {
  if (avail >= 6 && (p[1] == 'u' || p[1] == 'U') && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) && is_hex(p[5]))
    return 6;
  if (avail >= 3 && is_hex(p[1]) && is_hex(p[2])) return 3;
  return 0;
}

bool has_escape(const uint8_t* p, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (p[i] == '%' && escape_len(p + i, n - i) != 0) return true;
  return false;
}

// One decoding pass from src into dst. dst may equal src: every escape
// shrinks (3 -> 1, 6 -> 1) and a byte is read before its slot is written.
// Stops at `cap` and flags kOverlong.
uint32_t decode_pass(const uint8_t* src, uint32_t n, uint8_t* dst, uint32_t cap, bool plus_to_space,
                     bool flag_invalid, uint32_t& flags) {
  uint32_t w = 0;
  uint32_t r = 0;
  while (r < n) {
    if (w == cap) {
      flags |= uri_flag::kOverlong;
      break;
    }
    uint8_t c = src[r];
    uint32_t used = 1;
    if (c == '%') {
      used = escape_len(src + r, n - r);
      if (used == 6) {
        const uint32_t cp = static_cast<uint32_t>(hex_value(src[r + 2]) << 12 | hex_value(src[r + 3]) << 8 |
                                                  hex_value(src[r + 4]) << 4 | hex_value(src[r + 5]));
        flags |= uri_flag::kUEncoded;
        if (cp < 0x80) {
          c = static_cast<uint8_t>(cp);
        } else {
          flags |= uri_flag::kNonAsciiUnicode;
          c = (cp >= 0xff01 && cp <= 0xff5e) ? static_cast<uint8_t>(cp - 0xfee0) : '?';
        }
      } else if (used == 3) {
        c = static_cast<uint8_t>(hex_value(src[r + 1]) << 4 | hex_value(src[r + 2]));
      } else {
        used = 1;
        if (flag_invalid) flags |= uri_flag::kInvalidEscape;
      }
    } else if (c == '+' && plus_to_space) {
      c = ' ';
    }
    if (c == 0) flags |= uri_flag::kNulByte;
    dst[w++] = c;
    r += used;
  }
  return w;
}

// Decodes once, and once more when the result still holds an escape.
uint32_t decode(const uint8_t* src, uint32_t n, uint8_t* dst, uint32_t cap, bool query, uint32_t& flags) {
  uint32_t w = decode_pass(src, n, dst, cap, query, true, flags);
  if (has_escape(dst, w)) {
    flags |= uri_flag::kDoubleEncoded;
    w = decode_pass(dst, w, dst, cap, false, false, flags);
  }
  return w;
}

// Backslashes, empty segments and dot segments, in place. `w` never passes
// the read position, so reading ahead is safe.
uint32_t normalize_path(uint8_t* p, uint32_t n, uint32_t& flags) {
  for (uint32_t i = 0; i < n; ++i) {
    if (p[i] == '\\') {
      p[i] = '/';
      flags |= uri_flag::kBackslash;
    }
  }
  const uint32_t floor = (n > 0 && p[0] == '/') ? 1 : 0;
  uint32_t w = 0;
  uint32_t i = 0;
  while (i < n) {
    if (p[i] == '/') {
      if (w > 0 && p[w - 1] == '/') {
        flags |= uri_flag::kEmptySegment;
      } else {
        p[w++] = '/';
      }
      ++i;
      continue;
    }
    uint32_t j = i;
    while (j < n && p[j] != '/') ++j;
    const uint32_t seg = j - i;
    const bool dot = seg == 1 && p[i] == '.';
    const bool dotdot = seg == 2 && p[i] == '.' && p[i + 1] == '.';
    if (dot || dotdot) {
      flags |= uri_flag::kDotSegment;
      if (dotdot) {
        if (w > floor) {
          --w;  // the '/' that ends the previous segment
          while (w > floor && p[w - 1] != '/') --w;
        } else {
          flags |= uri_flag::kTraversalAboveRoot;
        }
      }
      i = j < n ? j + 1 : j;  // the segment's own '/' goes with it
      continue;
    }
    std::memmove(p + w, p + i, seg);
    w += seg;
    i = j;
  }
  return w;
}

bool starts_with_nocase(const uint8_t* p, uint32_t n, const char* lit) {
  const uint32_t len = static_cast<uint32_t>(std::strlen(lit));
  if (n < len) return false;
  for (uint32_t i = 0; i < len; ++i) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<uint8_t>(c + 32);
    if (c != static_cast<uint8_t>(lit[i])) return false;
  }
  return true;
}

}  // namespace

UriNormResult normalize_uri(const uint8_t* raw, uint32_t raw_len, uint8_t* out, uint32_t out_cap) {
  UriNormResult res;
  const uint8_t* p = raw;
  uint32_t n = raw_len;
  bool absolute = false;
  const uint32_t scheme = starts_with_nocase(p, n, "http://") ? 7 : starts_with_nocase(p, n, "https://") ? 8 : 0;
  if (scheme != 0) {
    absolute = true;
    res.flags |= uri_flag::kAbsoluteForm;
    uint32_t i = scheme;
    while (i < n && p[i] != '/' && p[i] != '?') ++i;
    p += i;
    n -= i;
  }
  const auto* q = static_cast<const uint8_t*>(n ? std::memchr(p, '?', n) : nullptr);
  const uint32_t path_len = q ? static_cast<uint32_t>(q - p) : n;

  uint32_t w = 0;
  if (absolute && path_len == 0 && out_cap > 0) out[w++] = '/';
  w += decode(p, path_len, out + w, out_cap - w, false, res.flags);
  w = normalize_path(out, w, res.flags);

  if (q != nullptr) {
    if (w < out_cap) {
      out[w++] = '?';
      const uint32_t qlen = n - path_len - 1;
      w += decode(q + 1, qlen, out + w, out_cap - w, true, res.flags);
    } else {
      res.flags |= uri_flag::kOverlong;
    }
  }
  res.len = w;
  return res;
}

const char* uri_flag_name(uint32_t bit) {
  switch (bit) {
    case uri_flag::kInvalidEscape: return "invalid_escape";
    case uri_flag::kDoubleEncoded: return "double_encoded";
    case uri_flag::kUEncoded: return "u_encoded";
    case uri_flag::kNonAsciiUnicode: return "non_ascii_unicode";
    case uri_flag::kNulByte: return "nul_byte";
    case uri_flag::kTraversalAboveRoot: return "traversal_above_root";
    case uri_flag::kDotSegment: return "dot_segment";
    case uri_flag::kEmptySegment: return "empty_segment";
    case uri_flag::kBackslash: return "backslash";
    case uri_flag::kOverlong: return "overlong";
    case uri_flag::kAbsoluteForm: return "absolute_form";
    default: return "unknown";
  }
}

}  // namespace rampart::dp
