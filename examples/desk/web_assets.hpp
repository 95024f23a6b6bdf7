// The dashboard's files, built into the binary (see embed.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace desk {

struct web_asset {
    std::string_view path;  // "/index.html"
    std::string_view type;  // Content-Type
    std::string_view body;
};
const std::vector<web_asset>& web_assets();

}  // namespace desk
