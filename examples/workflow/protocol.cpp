#include "protocol.hpp"

namespace workflow {
namespace {

zmq::message_t type_frame(std::string_view type) { return zmq::message_t(type.data(), type.size()); }

// Checks the frame count and the type frame; "" when both are right.
std::string expect(common::frames msg, std::size_t count, std::string_view type)
{
    if (auto ok = common::expect_frames(msg, count); !ok) return ok.error();
    if (type_of(msg) != type) return "type frame is '" + common::printable(msg[0].to_string_view()) + "', expected " + std::string(type);
    return "";
}

}  // namespace

std::string_view type_of(common::frames msg)
{
    return msg.empty() ? std::string_view() : msg[0].to_string_view();
}

std::array<zmq::message_t, 2> encode(const task& t)
{
    auto body = common::frame_writer(task_size)
                    .put(t.batch).put(t.id).put(t.count).put(t.seed).put(t.paths).put(t.quantity)
                    .put(static_cast<std::uint32_t>(t.kind))
                    .put(t.spot).put(t.strike).put(t.volatility).put(t.rate).put(t.expiry)
                    .done();
    return {type_frame(task_type), std::move(body)};
}

common::result<task> decode_task(common::frames msg)
{
    using failure = common::result<task>;
    if (auto why = expect(msg, 2, task_type); !why.empty()) return failure::failure(why);
    if (auto ok = common::expect_size(msg[1], task_size, "task"); !ok) return failure::failure(ok.error());
    common::frame_reader r(msg[1]);
    task t;
    t.batch = r.get<std::uint64_t>();
    t.id = r.get<std::uint32_t>();
    t.count = r.get<std::uint32_t>();
    t.seed = r.get<std::uint64_t>();
    t.paths = r.get<std::uint32_t>();
    t.quantity = r.get<std::int32_t>();
    t.kind = static_cast<option_kind>(r.get<std::uint32_t>());
    t.spot = r.get<double>();
    t.strike = r.get<double>();
    t.volatility = r.get<double>();
    t.rate = r.get<double>();
    t.expiry = r.get<double>();
    if (auto why = check(t); !why.empty()) return failure::failure(why);
    return t;
}

std::array<zmq::message_t, 2> encode(const result& r)
{
    auto body = common::frame_writer(result_size)
                    .put(r.batch).put(r.id).put(r.count).put(r.worker)
                    .put(r.v.value).put(r.v.analytic).put(r.v.variance)
                    .done();
    return {type_frame(result_type), std::move(body)};
}

common::result<result> decode_result(common::frames msg)
{
    using failure = common::result<result>;
    if (auto why = expect(msg, 2, result_type); !why.empty()) return failure::failure(why);
    if (auto ok = common::expect_size(msg[1], result_size, "result"); !ok) return failure::failure(ok.error());
    common::frame_reader f(msg[1]);
    result r;
    r.batch = f.get<std::uint64_t>();
    r.id = f.get<std::uint32_t>();
    r.count = f.get<std::uint32_t>();
    r.worker = f.get<std::uint64_t>();
    r.v.value = f.get<std::int64_t>();
    r.v.analytic = f.get<std::int64_t>();
    r.v.variance = f.get<std::uint64_t>();
    if (r.count == 0 || r.count > max_tasks) return failure::failure("task count " + std::to_string(r.count) + " is not between 1 and 1000000");
    return r;
}

std::array<zmq::message_t, 3> encode(const hello& h)
{
    return {type_frame(hello_type), common::frame_writer(8).put(h.worker).done(), zmq::message_t(h.name)};
}

common::result<hello> decode_hello(common::frames msg)
{
    using failure = common::result<hello>;
    if (auto why = expect(msg, 3, hello_type); !why.empty()) return failure::failure(why);
    if (auto ok = common::expect_size(msg[1], 8, "worker id"); !ok) return failure::failure(ok.error());
    auto name = common::text_frame(msg[2], max_name_size, "worker name");
    if (!name) return failure::failure(name.error());
    return hello{common::frame_reader(msg[1]).get<std::uint64_t>(), std::string(*name)};
}

std::array<zmq::message_t, 2> encode(const done& d)
{
    common::frame_writer body(8 + 4 * d.ids.size());
    body.put(d.batch);
    for (auto id : d.ids) body.put(id);
    return {type_frame(done_type), body.done()};
}

common::result<done> decode_done(common::frames msg)
{
    using failure = common::result<done>;
    if (auto why = expect(msg, 2, done_type); !why.empty()) return failure::failure(why);
    const auto size = msg[1].size();
    if (size < 12 || size > 8 + 4 * max_done_ids || (size - 8) % 4 != 0)
        return failure::failure("done frame must be 8 + 4*N bytes with N from 1 to 1024, got " + std::to_string(size));
    common::frame_reader r(msg[1]);
    done d;
    d.batch = r.get<std::uint64_t>();
    for (std::size_t i = 0; i < (size - 8) / 4; ++i) d.ids.push_back(r.get<std::uint32_t>());
    return d;
}

std::array<zmq::message_t, 2> encode(const end& e)
{
    return {type_frame(end_type), common::frame_writer(12).put(e.batch).put(e.waiting).done()};
}

common::result<end> decode_end(common::frames msg)
{
    using failure = common::result<end>;
    if (auto why = expect(msg, 2, end_type); !why.empty()) return failure::failure(why);
    if (auto ok = common::expect_size(msg[1], 12, "end"); !ok) return failure::failure(ok.error());
    common::frame_reader r(msg[1]);
    end e;
    e.batch = r.get<std::uint64_t>();
    e.waiting = r.get<std::uint32_t>();
    return e;
}

std::array<zmq::message_t, 2> encode(const bye& b)
{
    return {type_frame(bye_type), common::frame_writer(16).put(b.batch).put(b.peer).done()};
}

common::result<bye> decode_bye(common::frames msg)
{
    using failure = common::result<bye>;
    if (auto why = expect(msg, 2, bye_type); !why.empty()) return failure::failure(why);
    if (auto ok = common::expect_size(msg[1], 16, "bye"); !ok) return failure::failure(ok.error());
    common::frame_reader r(msg[1]);
    bye b;
    b.batch = r.get<std::uint64_t>();
    b.peer = r.get<std::uint64_t>();
    return b;
}

}  // namespace workflow
