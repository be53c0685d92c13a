// Domain identities, generated from domains.def: an enum, the count, names.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sentinel {

enum class DomainId : uint8_t {
#define SN_DOMAIN(name) name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

inline constexpr std::array<std::string_view, 0
#define SN_DOMAIN(name) +1
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
                            >
    kDomainNames = {
#define SN_DOMAIN(name) #name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

inline constexpr size_t kDomainCount = kDomainNames.size();

constexpr std::string_view domain_name(DomainId d) { return kDomainNames[static_cast<size_t>(d)]; }

constexpr std::optional<DomainId> domain_by_name(std::string_view name) {
  for (size_t i = 0; i < kDomainCount; ++i)
    if (kDomainNames[i] == name) return static_cast<DomainId>(i);
  return std::nullopt;
}

constexpr size_t domain_index(DomainId d) { return static_cast<size_t>(d); }

}  // namespace sentinel
