// The requests the desk's web server (POST /chat, /order, /query: the body is
// the request's argument) and its console send the hub, as the hub checks
// them (examples/desk/desk.hpp, check_request); and the JSON reply the web
// server makes of a refusal. Any frames in: a checked request within its
// limits, or a reason that reads back as JSON.
#include <algorithm>

#include "desk.hpp"
#include "events.hpp"
#include "fuzz.hpp"
#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto args = desk::texts(fuzz::frames(data, size));
    const auto r = desk::check_request(args);
    if (!r) {
        fuzz::json_reader reply("{\"ok\":false,\"error\":" + desk::json_string(r.error()) + "}");
        FUZZ_CHECK(reply.eat("{\"ok\":false,\"error\":"));
        const auto why = reply.string();
        FUZZ_CHECK(why && *why == r.error() && reply.eat('}') && reply.at_end());
        return 0;
    }
    FUZZ_CHECK(args.size() == 2 && r->command == args[0]);
    if (r->command == "order") {
        FUZZ_CHECK(r->tasks >= 1 && r->tasks <= desk::max_positions && *common::parse_int(args[1]) == r->tasks);
    } else {
        FUZZ_CHECK(r->command == "say" || r->command == "query");
        FUZZ_CHECK(r->text == args[1] && !r->text.empty() && r->text.size() <= desk::max_say && common::valid_utf8(r->text));
        if (r->command == "say")
            FUZZ_CHECK(!r->text.starts_with("/") &&
                       std::none_of(r->text.begin(), r->text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    }
    return 0;
}
