// desk: the trading desk (Example 5). One process, one thread per actor:
// market data, chat, valuation, the hub and the web dashboard, all talking
// over inproc. Given no addresses it embeds examples 1-3's services too.
#include "desk.hpp"

int main(int argc, char** argv)
{
    desk::desk_options opts;
    common::program prog("desk", "The trading desk: prices, chat and valuations on one dashboard, one actor per thread (Example 5).");
    desk::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) { desk::run_desk(ctx, opts, stop); });
}
