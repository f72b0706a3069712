#include "models/core/text_clean.h"

#include <cstring>
#include <string_view>

#include "models/core/unicode_text.h"

namespace bigpe::models {
namespace {

struct Entity {
  const char* name;
  char32_t cp;
  bool legacy;  // also recognised without the closing ';' (HTML5 legacy)
};

constexpr Entity kEntities[] = {
    {"amp", '&', true},       {"lt", '<', true},        {"gt", '>', true},
    {"quot", '"', true},      {"apos", '\'', false},    {"nbsp", 0xA0, true},
    {"AMP", '&', true},       {"LT", '<', true},        {"GT", '>', true},
    {"QUOT", '"', true},      {"copy", 0xA9, true},     {"COPY", 0xA9, true},
    {"reg", 0xAE, true},      {"REG", 0xAE, true},      {"trade", 0x2122, false},
    {"iexcl", 0xA1, true},    {"cent", 0xA2, true},     {"pound", 0xA3, true},
    {"curren", 0xA4, true},   {"yen", 0xA5, true},      {"brvbar", 0xA6, true},
    {"sect", 0xA7, true},     {"uml", 0xA8, true},      {"ordf", 0xAA, true},
    {"laquo", 0xAB, true},    {"not", 0xAC, true},      {"shy", 0xAD, true},
    {"macr", 0xAF, true},     {"deg", 0xB0, true},      {"plusmn", 0xB1, true},
    {"sup2", 0xB2, true},     {"sup3", 0xB3, true},     {"acute", 0xB4, true},
    {"micro", 0xB5, true},    {"para", 0xB6, true},     {"middot", 0xB7, true},
    {"cedil", 0xB8, true},    {"sup1", 0xB9, true},     {"ordm", 0xBA, true},
    {"raquo", 0xBB, true},    {"frac14", 0xBC, true},   {"frac12", 0xBD, true},
    {"frac34", 0xBE, true},   {"iquest", 0xBF, true},   {"Agrave", 0xC0, true},
    {"Aacute", 0xC1, true},   {"Acirc", 0xC2, true},    {"Atilde", 0xC3, true},
    {"Auml", 0xC4, true},     {"Aring", 0xC5, true},    {"AElig", 0xC6, true},
    {"Ccedil", 0xC7, true},   {"Egrave", 0xC8, true},   {"Eacute", 0xC9, true},
    {"Ecirc", 0xCA, true},    {"Euml", 0xCB, true},     {"Igrave", 0xCC, true},
    {"Iacute", 0xCD, true},   {"Icirc", 0xCE, true},    {"Iuml", 0xCF, true},
    {"ETH", 0xD0, true},      {"Ntilde", 0xD1, true},   {"Ograve", 0xD2, true},
    {"Oacute", 0xD3, true},   {"Ocirc", 0xD4, true},    {"Otilde", 0xD5, true},
    {"Ouml", 0xD6, true},     {"times", 0xD7, true},    {"Oslash", 0xD8, true},
    {"Ugrave", 0xD9, true},   {"Uacute", 0xDA, true},   {"Ucirc", 0xDB, true},
    {"Uuml", 0xDC, true},     {"Yacute", 0xDD, true},   {"THORN", 0xDE, true},
    {"szlig", 0xDF, true},    {"agrave", 0xE0, true},   {"aacute", 0xE1, true},
    {"acirc", 0xE2, true},    {"atilde", 0xE3, true},   {"auml", 0xE4, true},
    {"aring", 0xE5, true},    {"aelig", 0xE6, true},    {"ccedil", 0xE7, true},
    {"egrave", 0xE8, true},   {"eacute", 0xE9, true},   {"ecirc", 0xEA, true},
    {"euml", 0xEB, true},     {"igrave", 0xEC, true},   {"iacute", 0xED, true},
    {"icirc", 0xEE, true},    {"iuml", 0xEF, true},     {"eth", 0xF0, true},
    {"ntilde", 0xF1, true},   {"ograve", 0xF2, true},   {"oacute", 0xF3, true},
    {"ocirc", 0xF4, true},    {"otilde", 0xF5, true},   {"ouml", 0xF6, true},
    {"divide", 0xF7, true},   {"oslash", 0xF8, true},   {"ugrave", 0xF9, true},
    {"uacute", 0xFA, true},   {"ucirc", 0xFB, true},    {"uuml", 0xFC, true},
    {"yacute", 0xFD, true},   {"thorn", 0xFE, true},    {"yuml", 0xFF, true},
    {"OElig", 0x152, false},  {"oelig", 0x153, false},  {"Scaron", 0x160, false},
    {"scaron", 0x161, false}, {"Yuml", 0x178, false},   {"fnof", 0x192, false},
    {"circ", 0x2C6, false},   {"tilde", 0x2DC, false},  {"ensp", 0x2002, false},
    {"emsp", 0x2003, false},  {"thinsp", 0x2009, false}, {"zwnj", 0x200C, false},
    {"zwj", 0x200D, false},   {"ndash", 0x2013, false}, {"mdash", 0x2014, false},
    {"lsquo", 0x2018, false}, {"rsquo", 0x2019, false}, {"sbquo", 0x201A, false},
    {"ldquo", 0x201C, false}, {"rdquo", 0x201D, false}, {"bdquo", 0x201E, false},
    {"dagger", 0x2020, false}, {"Dagger", 0x2021, false}, {"bull", 0x2022, false},
    {"hellip", 0x2026, false}, {"permil", 0x2030, false}, {"prime", 0x2032, false},
    {"lsaquo", 0x2039, false}, {"rsaquo", 0x203A, false}, {"euro", 0x20AC, false},
    {"larr", 0x2190, false},  {"uarr", 0x2191, false},  {"rarr", 0x2192, false},
    {"darr", 0x2193, false},  {"harr", 0x2194, false},  {"minus", 0x2212, false},
    {"infin", 0x221E, false}, {"ne", 0x2260, false},    {"le", 0x2264, false},
    {"ge", 0x2265, false},    {"hearts", 0x2665, false}, {"spades", 0x2660, false},
    {"clubs", 0x2663, false}, {"diams", 0x2666, false}, {"star", 0x2606, false},
    {"starf", 0x2605, false}, {"check", 0x2713, false}, {"alpha", 0x3B1, false},
    {"beta", 0x3B2, false},   {"gamma", 0x3B3, false},  {"delta", 0x3B4, false},
    {"pi", 0x3C0, false},     {"mu", 0x3BC, false},     {"sigma", 0x3C3, false},
    {"omega", 0x3C9, false},  {"lambda", 0x3BB, false}, {"theta", 0x3B8, false},
};

const Entity* find_entity(std::string_view name, bool need_legacy) {
  for (const Entity& e : kEntities)
    if (name == e.name && (!need_legacy || e.legacy)) return &e;
  return nullptr;
}

// Windows-1252 meanings of the C1 range, which browsers (and Python) give
// to &#128; .. &#159;. 0 = keep the code point.
constexpr char32_t kCp1252[32] = {
    0x20AC, 0, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160,
    0x2039, 0x152, 0, 0x17D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0, 0x17E, 0x178};

// Python's html._replace_charref for a numeric reference.
void append_charref(std::string& out, uint64_t num) {
  if (num == 0) return utf8_append(out, 0xFFFD);
  if (num == 0x0D) return utf8_append(out, '\r');
  if (num >= 0x80 && num <= 0x9F) return utf8_append(out, kCp1252[num - 0x80] ? kCp1252[num - 0x80] : char32_t(num));
  if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return utf8_append(out, 0xFFFD);
  bool invalid = (num >= 0x1 && num <= 0x8) || num == 0xB || (num >= 0xE && num <= 0x1F) || num == 0x7F ||
                 (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE;
  if (invalid) return;
  utf8_append(out, static_cast<char32_t>(num));
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

// Length of the reference body after '&' at text[i], Python's pattern
// `#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?`, or 0.
size_t match_reference(const std::string& t, size_t i) {
  size_t n = t.size(), j = i;
  if (j < n && t[j] == '#') {
    ++j;
    bool hex = j < n && (t[j] == 'x' || t[j] == 'X');
    if (hex) ++j;
    size_t start = j;
    while (j < n && (hex ? is_hex(t[j]) : (t[j] >= '0' && t[j] <= '9'))) ++j;
    if (j == start) return 0;
    if (j < n && t[j] == ';') ++j;
    return j - i;
  }
  // Up to 32 code points, but names we know are ASCII: count bytes of
  // ASCII and whole UTF-8 sequences alike (each is one "character").
  int chars = 0;
  while (j < n && chars < 32 && !std::strchr("\t\n\f <&#;", t[j])) {
    unsigned char b = t[j];
    ++j;
    if (b >= 0xC0)
      while (j < n && (static_cast<unsigned char>(t[j]) & 0xC0) == 0x80) ++j;
    ++chars;
  }
  if (chars == 0) return 0;
  if (j < n && t[j] == ';') ++j;
  return j - i;
}

}  // namespace

std::string html_unescape(const std::string& text) {
  if (text.find('&') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  size_t i = 0, n = text.size();
  while (i < n) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    size_t len = match_reference(text, i + 1);
    if (len == 0) {
      out += text[i++];
      continue;
    }
    std::string_view s(text.data() + i + 1, len);
    i += 1 + len;
    if (s[0] == '#') {
      bool hex = s.size() > 1 && (s[1] == 'x' || s[1] == 'X');
      uint64_t num = 0;
      for (size_t k = hex ? 2 : 1; k < s.size() && s[k] != ';'; ++k) {
        int d = (s[k] <= '9') ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
        num = num * (hex ? 16 : 10) + d;
        if (num > 0x10FFFF) num = 0x110000;  // saturate: any larger is invalid alike
      }
      append_charref(out, num);
      continue;
    }
    const Entity* exact = s.back() == ';' ? find_entity(s.substr(0, s.size() - 1), false)
                                          : find_entity(s, true);
    if (exact) {
      utf8_append(out, exact->cp);
      continue;
    }
    // Python: the longest prefix (at least 2 chars, shorter than s) that is
    // a name valid without ';', followed by the rest as written.
    bool done = false;
    for (size_t x = s.size() - 1; x > 1 && !done; --x) {
      if (const Entity* e = find_entity(s.substr(0, x), true)) {
        utf8_append(out, e->cp);
        out.append(s.substr(x));
        done = true;
      }
    }
    if (!done) {
      out += '&';
      out.append(s);
    }
  }
  return out;
}

std::string clean_text(const std::string& text) {
  std::vector<char32_t> cps = utf8_decode(html_unescape(html_unescape(text)));
  std::vector<char32_t> out;
  out.reserve(cps.size());
  bool pending_space = false;
  for (char32_t cp : cps) {
    if (is_whitespace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    if (cp == 0x130) {  // Python lowercases U+0130 to two code points
      out.push_back('i');
      out.push_back(0x307);
      continue;
    }
    out.push_back(to_lower(cp));
  }
  return utf8_encode(out);
}

}  // namespace bigpe::models
