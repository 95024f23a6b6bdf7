// The hub, the desk's UI actor. PAIR to each actor (binds one per actor) for
// events up and commands down; ROUTER (binds) for requests from the web
// server's handlers and the console; PUSH (binds) to the chat client's input;
// XPUB (binds) to fan events out to web pages. Keeps what a page that opens
// late needs to see (last prices, recent chat, orders): when a page's SUB
// subscribes to its own topic, the XPUB tells the hub, which sends that page
// the picture so far, then everything else on topic "all".
#include <algorithm>
#include <array>
#include <deque>
#include <span>
#include <map>
#include <vector>

#include "common/console.hpp"
#include "common/stop.hpp"
#include "desk.hpp"
#include "events.hpp"

namespace desk {

constexpr std::size_t chat_history = 50;    // chat lines a late page is shown
constexpr std::size_t max_orders = 20;      // orders a late page is shown
constexpr auto actor_wait = 200ms;  // for an actor that is starting (its end of the pipe not yet connected)

std::string pipe_endpoint(std::string_view actor) { return std::string(wiring::pipe_prefix) + std::string(actor); }

namespace {

class hub {
public:
    hub(zmq::context_t& ctx, const hub_options& opts, std::stop_token stop)
        : opts_(opts), stop_(stop), out_(opts.role.name, opts.role.quiet),
          requests_(ctx, zmq::socket_type::router), events_(ctx, zmq::socket_type::xpub),
          chat_input_(ctx, zmq::socket_type::push)
    {
        for (const auto& name : opts.actors) {
            auto& pipe = pipes_.emplace_back(name, zmq::socket_t(ctx, zmq::socket_type::pair)).second;
            common::bind(pipe, pipe_endpoint(name));
        }
        common::bind(requests_, std::string(wiring::requests));
        common::bind(events_, std::string(wiring::events));
        common::bind(chat_input_, std::string(wiring::chat_input));
    }

    void run()
    {
        std::vector<zmq::message_t> msg;
        // slide: desk-hub-poll
        while (!stop_.stop_requested()) {
            std::vector<zmq::pollitem_t> items;
            for (auto& [name, pipe] : pipes_)
                items.push_back({pipe.handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({requests_.handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({events_.handle(), 0, ZMQ_POLLIN, 0});
            if (!common::poll(items, stop_)) continue;
            for (auto& [name, pipe] : pipes_)
                while (common::recv(pipe, msg, stop_, 0ms)) on_event(name, msg);
            while (common::recv(requests_, msg, stop_, 0ms)) on_request(msg);
            while (common::recv(events_, msg, stop_, 0ms)) on_subscription(msg);
        }
        // end slide
    }

private:
    void on_event(const std::string& actor, const std::vector<zmq::message_t>& msg)
    {
        auto e = decode_event(msg);
        if (!e) return out_.warn("dropped a malformed event from ", actor, ": ", e.error());
        remember(*e);
        publish("all", *e);
        if (opts_.console || (e->kind != "tick" && e->kind != "order-progress")) out_.info(to_line(*e));
    }

    // What a page that opens now should see.
    void remember(const event& e)
    {
        if (e.kind == "tick") {
            prices_[e.fields[0]] = e;
        } else if (e.kind == "chat" || e.kind == "presence") {
            chat_.push_back(e);
            if (chat_.size() > chat_history) chat_.pop_front();
        } else if (e.kind.starts_with("order-")) {
            auto it = std::find_if(orders_.begin(), orders_.end(), [&](const event& o) { return o.fields[0] == e.fields[0]; });
            if (it != orders_.end()) *it = e;
            else orders_.push_back(e);
            if (orders_.size() > max_orders) orders_.pop_front();
        }
    }

    void publish(const std::string& topic, const event& e)
    {
        const auto json = to_json(e);
        std::array<zmq::message_t, 2> msg{zmq::message_t(topic.data(), topic.size()), zmq::message_t(json.data(), json.size())};
        common::send(events_, msg, stop_, 0ms);  // XPUB never blocks: a slow page loses events
    }

    // A page's SUB subscribed to its own topic ("c" + a number): the picture so far.
    void on_subscription(const std::vector<zmq::message_t>& msg)
    {
        if (msg.size() != 1 || msg[0].size() < 2 || msg[0].data<char>()[0] != 1) return;
        const std::string topic(msg[0].data<char>() + 1, msg[0].size() - 1);
        if (!topic.starts_with("c")) return;
        for (const auto& [symbol, e] : prices_) publish(topic, e);
        for (const auto& e : chat_) publish(topic, e);
        for (const auto& e : orders_) publish(topic, e);
    }

    // slide: desk-hub-request
    // [routing id] command args... -> [routing id] OK values... | ERROR why
    void on_request(const std::vector<zmq::message_t>& msg)
    {
        if (msg.size() < 2) return;
        const auto args = texts(std::span(msg).subspan(1));
        const auto reply = answer(args);
        auto frames = text_message(reply);
        frames.emplace(frames.begin(), msg[0].data(), msg[0].size());
        // A ROUTER drops the reply if the caller is gone.
        common::send(requests_, frames, stop_, 0ms);
    }
    // end slide

    std::vector<std::string> answer(const std::vector<std::string>& args)
    {
        const auto r = check_request(args);
        if (!r) return {"ERROR", r.error()};
        if (r->command == "say") {
            auto line = text_message({r->text});
            if (!common::send(chat_input_, line, stop_, actor_wait)) return {"ERROR", "the chat is not running"};
            return {"OK"};
        }
        if (r->command == "order") {
            auto* pipe = pipe_to(valuation_actor);
            if (pipe == nullptr) return {"ERROR", "this desk has no valuation"};
            const auto id = std::to_string(++orders_made_);
            auto order = text_message({"order", id, std::to_string(r->tasks)});
            if (!common::send(*pipe, order, stop_, actor_wait)) return {"ERROR", "the valuation is not running"};
            return {"OK", id};
        }
        auto* pipe = pipe_to(query_actor);  // query
        if (pipe == nullptr) return {"ERROR", "this desk has no query engine"};
        const auto id = std::to_string(++queries_made_);
        auto query = text_message({"query", id, r->text});
        if (!common::send(*pipe, query, stop_, actor_wait)) return {"ERROR", "the query actor is not running"};
        return {"OK", id};
    }

    zmq::socket_t* pipe_to(std::string_view actor)
    {
        for (auto& [name, pipe] : pipes_)
            if (name == actor) return &pipe;
        return nullptr;
    }

    const hub_options& opts_;
    std::stop_token stop_;
    common::console out_;
    std::vector<std::pair<std::string, zmq::socket_t>> pipes_;
    zmq::socket_t requests_, events_, chat_input_;
    std::map<std::string, event> prices_;
    std::deque<event> chat_, orders_;
    std::uint64_t orders_made_ = 0, queries_made_ = 0;
};

}  // namespace

void run_hub(zmq::context_t& ctx, const hub_options& opts, std::stop_token stop)
{
    hub(ctx, opts, stop).run();
}

common::result<checked_request> check_request(const std::vector<std::string>& args)
{
    using failure = common::result<checked_request>;
    if (args.size() == 2 && args[0] == "say") {
        const auto& text = args[1];
        if (text.empty() || text.size() > max_say || !common::valid_utf8(text))
            return failure::failure("a chat line is 1 to 1024 bytes of UTF-8 text");
        if (text.starts_with("/")) return failure::failure("chat commands (/who, /room...) are not for the desk");
        for (const char c : text)
            if (static_cast<unsigned char>(c) < 0x20) return failure::failure("a chat line has no control characters");
        return checked_request{"say", text};
    }
    if (args.size() == 2 && args[0] == "order") {
        const auto tasks = common::parse_int(args[1]);
        if (!tasks || *tasks < 1 || *tasks > max_positions) return failure::failure("an order has 1 to 10000 positions");
        return checked_request{"order", {}, static_cast<std::uint32_t>(*tasks)};
    }
    if (args.size() == 2 && args[0] == "query") {
        const auto& text = args[1];
        if (text.empty() || text.size() > max_say || !common::valid_utf8(text))
            return failure::failure("a query is 1 to 1024 bytes of UTF-8 text");
        return checked_request{"query", text};
    }
    return failure::failure("unknown request '" + common::printable(args.empty() ? "" : args[0]) + "'");
}

std::vector<std::string> request(zmq::context_t& ctx, const std::vector<std::string>& frames, std::stop_token stop,
                                 std::chrono::milliseconds timeout)
{
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    common::connect(dealer, std::string(wiring::requests));
    auto msg = text_message(frames);
    std::vector<zmq::message_t> reply;
    if (!common::send(dealer, msg, stop, timeout) || !common::recv(dealer, reply, stop, timeout) || reply.empty())
        return {"ERROR", "the desk is not answering"};
    return texts(reply);
}

}  // namespace desk
