// The query server's memory: per symbol, its state and its last ticks, and
// the answers to queries about them. Written for the hot path: lookups by
// string_view, answers formatted into a reused buffer.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol.hpp"

namespace query {

class store {
public:
    explicit store(std::size_t history) : history_(history == 0 ? 1 : history) {}

    // A tick from the feed; false (and nothing changes) when it is a repeat
    // or older than what the symbol has (seq not above the last one). A seq
    // of 1 after higher ones means the feed restarted: the symbol starts again.
    bool apply(const ticker::tick& t);

    // Answers a parsed query (not WATCH) into text; false: text is the error.
    // SNAPSHOT also sets *state.
    bool answer(const request& r, std::string& text, const symbol_state** state = nullptr) const;

    const symbol_state* find(std::string_view symbol) const;
    std::size_t size() const { return symbols_.size(); }

private:
    struct entry {
        symbol_state state;
        std::deque<ticker::tick> ticks;  // the last history_ ticks, oldest first
    };
    struct hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    const entry* lookup(std::string_view symbol, std::string& text) const;

    std::size_t history_;
    std::unordered_map<std::string, entry, hash, std::equal_to<>> symbols_;
};

}  // namespace query
