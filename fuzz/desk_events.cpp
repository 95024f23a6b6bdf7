// The desk's events (examples/desk/events.hpp): the decoder the hub applies
// to each actor's messages, and what it makes of them for web pages (JSON)
// and the console (a line). An event it accepts encodes back to the same
// frames; its JSON reads back, strictly, as its kind and fields; json_string
// of any bytes is one JSON string holding those bytes.
#include "events.hpp"
#include "fuzz.hpp"
#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    {
        fuzz::json_reader json(desk::json_string(bytes));
        const auto back = json.string();
        FUZZ_CHECK(back && *back == bytes && json.at_end());
    }

    const auto msg = fuzz::frames(data, size);
    const auto e = desk::decode_event(msg);
    if (!e) return 0;
    FUZZ_CHECK(fuzz::same_frames(desk::encode(*e), msg));

    const auto members = fuzz::json_reader(desk::to_json(*e)).flat_object();
    FUZZ_CHECK(members && members->size() == e->fields.size() + 1);
    FUZZ_CHECK((*members)[0] == std::make_pair(std::string("kind"), e->kind));
    for (std::size_t i = 0; i < e->fields.size(); ++i) FUZZ_CHECK((*members)[i + 1].second == e->fields[i]);
    (void)desk::to_line(*e);
    return 0;
}
