// The desk's actors as threads of the test, over inproc: the hub with stand-in
// actors (the test holds their ends of the pipes), then the real valuation
// actor behind the hub.
#include "catch.hpp"

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "desk.hpp"
#include "events.hpp"

using namespace std::chrono_literals;

namespace {

// A page's view of the hub: a SUB on the events XPUB, as the web server has.
struct page {
    zmq::socket_t sub;
    page(zmq::context_t& ctx, const std::string& me) : sub(ctx, zmq::socket_type::sub)
    {
        sub.set(zmq::sockopt::subscribe, "all");
        sub.set(zmq::sockopt::subscribe, me);
        sub.connect(std::string(desk::wiring::events));
    }
    // The next event's JSON whose text contains `text`; "" after 10 s.
    std::string wait_for(const std::string& text)
    {
        std::vector<zmq::message_t> msg;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline)
            if (common::recv(sub, msg, {}, 100ms) && msg.size() == 2 && msg[1].to_string().find(text) != std::string::npos)
                return msg[1].to_string();
        return "";
    }
};

void send_event(zmq::socket_t& pipe, const desk::event& e)
{
    auto msg = desk::encode(e);
    REQUIRE(common::send(pipe, msg, {}, 1s));
}

}  // namespace

TEST_CASE("inproc: the hub routes requests to actors and events to pages", "[inproc]")
{
    auto ctx = common::make_context();
    common::thread_group threads;
    const desk::hub_options hub{{"hub", true, false}, false, {"market", "chat", "valuation"}};
    threads.spawn("hub", [&](std::stop_token s) { desk::run_hub(ctx, hub, s); });

    // The actors' ends: a PAIR each, and the chat client's input.
    zmq::socket_t market(ctx, zmq::socket_type::pair), valuation(ctx, zmq::socket_type::pair);
    zmq::socket_t chat_input(ctx, zmq::socket_type::pull);
    market.connect(desk::pipe_endpoint("market"));
    valuation.connect(desk::pipe_endpoint("valuation"));
    chat_input.connect(std::string(desk::wiring::chat_input));
    page early(ctx, "c1");
    // The request/reply round trip says the hub is up; the page's welcome
    // (its own topic) comes once its subscriptions are in.
    REQUIRE(desk::request(ctx, {"say", "hello desk"}, {}, 5s) == std::vector<std::string>{"OK"});
    std::vector<zmq::message_t> msg;
    REQUIRE(common::recv(chat_input, msg, {}, 5s));
    CHECK(desk::texts(msg) == std::vector<std::string>{"hello desk"});

    SECTION("events reach pages as JSON, and a late page gets the picture so far")
    {
        // Until the page's subscription is in, the hub drops what it publishes: send until it arrives.
        std::string json;
        for (int i = 0; i < 50 && json.empty(); ++i) {
            send_event(market, {"tick", {"AAPL", "187.20", "185.00"}});
            if (common::recv(early.sub, msg, {}, 100ms)) json = msg[1].to_string();
        }
        CHECK(json == R"({"kind":"tick","symbol":"AAPL","price":"187.20","open":"185.00"})");
        send_event(market, {"tick", {"AAPL", "187.30", "185.00"}});
        CHECK(!early.wait_for("187.30").empty());

        page late(ctx, "c2");
        CHECK(!late.wait_for(R"("price":"187.30")").empty());
    }
    SECTION("an order goes to the valuation actor's pipe, with an id")
    {
        const auto reply = desk::request(ctx, {"order", "12"}, {}, 5s);
        REQUIRE(reply == std::vector<std::string>{"OK", "1"});
        REQUIRE(common::recv(valuation, msg, {}, 5s));
        CHECK(desk::texts(msg) == std::vector<std::string>{"order", "1", "12"});
        CHECK(desk::request(ctx, {"order", "2"}, {}, 5s) == std::vector<std::string>{"OK", "2"});
    }
    SECTION("bad requests are refused, malformed events dropped")
    {
        CHECK(desk::request(ctx, {"order", "0"}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"order", "lots"}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"say", "/quit"}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"say", "bell\a"}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"say", ""}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"launch", "missiles"}, {}, 5s)[0] == "ERROR");
        CHECK(desk::request(ctx, {"query", "LAST AAPL"}, {}, 5s) == std::vector<std::string>{"ERROR", "this desk has no query engine"});
        send_event(market, {"tick", {"only the symbol"}});
        send_event(market, {"rumour", {"x"}});
        auto bad = desk::text_message({"tick", "AAPL", "\xff\xfe", "1"});
        REQUIRE(common::send(market, bad, {}, 1s));
        // Still alive, still answering.
        CHECK(desk::request(ctx, {"say", "still here"}, {}, 5s) == std::vector<std::string>{"OK"});
    }
    threads.request_stop();
    threads.wait();
}

TEST_CASE("inproc: the valuation actor runs each order's batch on the workflow", "[inproc]")
{
    auto ctx = common::make_context();
    common::thread_group threads;
    const desk::hub_options hub{{"hub", true, false}, false, {"valuation"}};
    desk::valuation_options valuation;
    valuation.role = {"valuation", true, false};
    valuation.workers = 2;
    valuation.paths = 2000;
    threads.spawn("hub", [&](std::stop_token s) { desk::run_hub(ctx, hub, s); });
    threads.spawn("valuation", [&](std::stop_token s) { desk::run_valuation(ctx, valuation, s); });
    page p(ctx, "c1");
    // The first order may be placed before the page's subscription is in: it
    // still shows in the picture so far, sent once the subscription arrives.
    REQUIRE(desk::request(ctx, {"order", "8"}, {}, 5s) == std::vector<std::string>{"OK", "1"});
    const auto first = p.wait_for(R"("kind":"order-done","id":"1")");
    REQUIRE(!first.empty());
    CHECK(first.find(R"("value":")") != std::string::npos);
    // Two more at once: the second waits for the first; each has a book of its own.
    REQUIRE(desk::request(ctx, {"order", "6"}, {}, 5s) == std::vector<std::string>{"OK", "2"});
    REQUIRE(desk::request(ctx, {"order", "6"}, {}, 5s) == std::vector<std::string>{"OK", "3"});
    CHECK(!p.wait_for(R"("kind":"order-queued","id":"3")").empty());
    const auto second = p.wait_for(R"("kind":"order-done","id":"2")");
    const auto third = p.wait_for(R"("kind":"order-done","id":"3")");
    REQUIRE(!second.empty());
    REQUIRE(!third.empty());
    CHECK(second.substr(second.find("value")) != third.substr(third.find("value")));
    threads.request_stop();
    threads.wait();
}
