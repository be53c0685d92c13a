#include "compiler/backend/objects.h"

namespace sentinel::backend {

namespace {

std::string joined(const std::vector<std::string>& defines) {
  std::string s;
  for (size_t i = 0; i < defines.size(); ++i) s += (i ? "," : "") + defines[i];
  return s;
}

}  // namespace

std::optional<std::string_view> precompiled_object(const std::string& templ,
                                                   const std::vector<std::string>& defines) {
  const std::string want = joined(defines);
  for (const auto& o : precompiled_objects())
    if (o.templ == templ && o.defines == want) return o.bytes;
  return std::nullopt;
}

std::string object_for(const std::string& templ, const std::vector<std::string>& defines, bool allow_precompiled,
                       ObjectSourceStats* stats) {
  if (allow_precompiled) {
    if (auto o = precompiled_object(templ, defines)) {
      if (stats) ++stats->precompiled;
      return std::string(*o);
    }
  }
  if (stats) ++stats->compiled;
  return compile_variant(templ, defines);
}

}  // namespace sentinel::backend
