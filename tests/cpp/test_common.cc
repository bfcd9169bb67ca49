/* -*- c++ -*- */
/*
 * Copyright 2026 gr-netstream authors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

// Unit tests of the GNU-Radio-free parts of the shared base.

#define BOOST_TEST_MODULE common
#include <boost/test/included/unit_test.hpp>

#include "common/counter_set.h"
#include "common/reconnect_policy.h"

using namespace gr::netstream;

BOOST_AUTO_TEST_CASE(counters_standard_and_named)
{
    counter_set c;
    c.add(ctr::frames_in, 3);
    c.add_malformed("bad_magic");
    c.add_malformed("bad_magic");
    c.declare("restarts");
    auto s = c.snapshot();
    BOOST_TEST(s.at("frames_in") == 3u);
    BOOST_TEST(s.at("malformed") == 2u);
    BOOST_TEST(s.at("malformed.bad_magic") == 2u);
    BOOST_TEST(s.at("restarts") == 0u);
    BOOST_TEST(c.get("frames_in") == 3u);
    BOOST_TEST(c.get("nope") == 0u);
    c.reset();
    BOOST_TEST(c.get("malformed.bad_magic") == 0u);
    BOOST_TEST(c.get(ctr::frames_in) == 0u);
}

BOOST_AUTO_TEST_CASE(backoff_doubles_and_caps)
{
    reconnect_policy p("retry", 0.1, 0.5);
    BOOST_TEST(p.next_delay().count() == 100);
    BOOST_TEST(p.next_delay().count() == 200);
    BOOST_TEST(p.next_delay().count() == 400);
    BOOST_TEST(p.next_delay().count() == 500);
    BOOST_TEST(p.next_delay().count() == 500);
    p.reset();
    BOOST_TEST(p.next_delay().count() == 100);
    BOOST_TEST(!p.gives_up());
    BOOST_TEST(reconnect_policy("done").gives_up());
    BOOST_CHECK_THROW(reconnect_policy("sometimes"), std::invalid_argument);
    BOOST_CHECK_THROW(reconnect_policy("retry", 0.0, 1.0), std::invalid_argument);
    BOOST_CHECK_THROW(reconnect_policy("retry", 2.0, 1.0), std::invalid_argument);
}
