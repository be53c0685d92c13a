// An ANTLR char stream with one symbol per byte. ANTLR's own stream decodes
// UTF-8, so its indices are code points and it throws on invalid UTF-8; with
// bytes, token indices are the byte offsets that spans need, and any bytes in
// strings or comments pass through untouched.
#pragma once
#include <string_view>

#include "antlr4-runtime.h"

namespace sentinel::parse {

class ByteStream : public antlr4::ANTLRInputStream {
 public:
  explicit ByteStream(std::string_view bytes) {
    _data.resize(bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i)
      _data[i] = static_cast<char32_t>(static_cast<unsigned char>(bytes[i]));
    p = 0;
  }
};

}  // namespace sentinel::parse
