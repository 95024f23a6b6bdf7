// A strict reader for the JSON the desk writes (json_string, to_json): flat
// objects of string values. It rejects what a browser's JSON.parse rejects
// there: raw control characters, unknown escapes, trailing bytes.
#pragma once

#include <utility>
#include <vector>
#include <optional>
#include <string>
#include <string_view>

namespace fuzz {

class json_reader {
public:
    explicit json_reader(std::string text) : s_(std::move(text)) {}

    std::optional<std::string> string()
    {
        if (!eat('"')) return std::nullopt;
        std::string out;
        while (at_ < s_.size()) {
            const unsigned char c = s_[at_++];
            if (c == '"') return out;
            if (c < 0x20) return std::nullopt;
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (at_ >= s_.size()) return std::nullopt;
            switch (s_[at_++]) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                if (at_ + 4 > s_.size()) return std::nullopt;
                unsigned v = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = s_[at_++];
                    v = v * 16 + (h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99);
                    if (v > 0xFFFF) return std::nullopt;
                }
                if (v >= 0x80) return std::nullopt;  // the desk escapes control characters only
                out += static_cast<char>(v);
                break;
            }
            default: return std::nullopt;
            }
        }
        return std::nullopt;
    }

    // {"key":"value",...} and nothing after it; keys in order of appearance.
    std::optional<std::vector<std::pair<std::string, std::string>>> flat_object()
    {
        std::vector<std::pair<std::string, std::string>> members;
        if (!eat('{')) return std::nullopt;
        if (!eat('}')) {
            do {
                auto key = string();
                if (!key || !eat(':')) return std::nullopt;
                auto value = string();
                if (!value) return std::nullopt;
                members.emplace_back(std::move(*key), std::move(*value));
            } while (eat(','));
            if (!eat('}')) return std::nullopt;
        }
        if (at_ != s_.size()) return std::nullopt;
        return members;
    }

    bool eat(char c)
    {
        if (at_ < s_.size() && s_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    bool eat(std::string_view word)
    {
        if (std::string_view(s_).substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }
    bool at_end() const { return at_ == s_.size(); }

private:
    std::string s_;
    std::size_t at_ = 0;
};

}  // namespace fuzz
