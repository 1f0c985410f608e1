#include "parse/formats/suricata_eve_fields.h"

namespace cyberalarm::parse::formats::eve {

namespace {

Section section_of(std::string_view key) {
    if (key == "alert") {
        return Section::kAlert;
    }
    if (key == "flow") {
        return Section::kFlow;
    }
    if (key == "netflow") {
        return Section::kNetflow;
    }
    if (key == "anomaly") {
        return Section::kAnomaly;
    }
    return Section::kOther;
}

bool read_time(std::string_view v, std::int64_t& ns, bool& has) {
    auto t = core::parse_iso8601(v);
    if (t && t->has_zone) {
        ns = t->ns;
        has = true;
    }
    return true;
}

}  // namespace

bool Handler::Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1) {
        key1_.assign(s, n);
    } else if (depth_ == 2) {
        key2_.assign(s, n);
    }
    return true;
}

bool Handler::StartObject() {
    ++depth_;
    if (depth_ == 2) {
        section_ = section_of(key1_.view());
        if (section_ == Section::kAlert) {
            f_.has_alert = true;
        }
    }
    return true;
}

bool Handler::EndObject(rapidjson::SizeType) {
    if (--depth_ == 1) {
        section_ = Section::kOther;
    }
    return true;
}

bool Handler::StartArray() {
    ++depth_;
    if (depth_ == 2) {
        section_ = Section::kOther;
    }
    return true;
}

bool Handler::EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
}

bool Handler::number(std::int64_t v) {
    if (depth_ == 1) {
        std::string_view k = key1_.view();
        if (k == "src_port") {
            f_.src_port = v;
        } else if (k == "dest_port") {
            f_.dst_port = v;
        } else if (k == "icmp_type") {
            f_.icmp_type = v;
        } else if (k == "icmp_code") {
            f_.icmp_code = v;
        }
        return true;
    }
    if (depth_ != 2) {
        return true;
    }
    std::string_view k = key2_.view();
    switch (section_) {
        case Section::kAlert:
            if (k == "severity") {
                f_.alert_severity = v;
            } else if (k == "signature_id" && v >= 0) {
                out_.rule_id = std::to_string(v);
            }
            break;
        case Section::kFlow:
            if (k == "bytes_toserver") {
                f_.bytes_toserver = v;
            } else if (k == "bytes_toclient") {
                f_.bytes_toclient = v;
            } else if (k == "pkts_toserver") {
                f_.pkts_toserver = v;
            } else if (k == "pkts_toclient") {
                f_.pkts_toclient = v;
            }
            break;
        case Section::kNetflow:
            if (k == "bytes") {
                f_.netflow_bytes = v;
            } else if (k == "pkts") {
                f_.netflow_pkts = v;
            }
            break;
        default:
            break;
    }
    return true;
}

bool Handler::String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view v(s, n);
    if (depth_ == 1) {
        return top_string(key1_.view(), v);
    }
    if (depth_ == 2) {
        return section_string(v);
    }
    return true;
}

bool Handler::top_string(std::string_view k, std::string_view v) {
    if (k == "timestamp") {
        if (auto t = core::parse_iso8601(v)) {
            f_.timestamp = *t;
            f_.has_timestamp = true;
        }
    } else if (k == "event_type") {
        f_.event_type.assign(v.data(), v.size());
    } else if (k == "src_ip" || k == "dest_ip") {
        auto ip = core::IpAddress::parse(v);
        if (!ip) {
            f_.bad_ip_field.assign(k.data(), k.size());
        } else {
            (k == "src_ip" ? out_.src_ip : out_.dst_ip) = *ip;
        }
    } else if (k == "proto") {
        f_.proto.assign(v.data(), v.size());
    } else if (k == "in_iface") {
        out_.ingress_interface.assign(v);
    } else if (k == "app_proto") {
        // "failed" means the detector could not tell the protocol: not a protocol name.
        if (v != "failed") {
            out_.app_protocol.assign(v);
        }
    } else if (k == "host") {
        out_.observer_name.assign(v);  // the sensor name configured in suricata.yaml
    } else if (k == "src_port" || k == "dest_port") {
        // Some shippers write ports as strings.
        std::int64_t p = 0;
        for (char c : v) {
            if (c < '0' || c > '9' || p > 65535) {
                return true;
            }
            p = p * 10 + (c - '0');
        }
        (k == "src_port" ? f_.src_port : f_.dst_port) = v.empty() ? -1 : p;
    }
    return true;
}

bool Handler::section_string(std::string_view v) {
    std::string_view k = key2_.view();
    switch (section_) {
        case Section::kAlert:
            if (k == "action") {
                f_.alert_action.assign(v.data(), v.size());
            } else if (k == "signature") {
                out_.rule_name.assign(v);
            } else if (k == "category") {
                out_.rule_ruleset.assign(v);
            }
            break;
        case Section::kFlow:
            if (k == "start") {
                return read_time(v, f_.flow_start_ns, f_.has_flow_start);
            }
            if (k == "end") {
                return read_time(v, f_.flow_end_ns, f_.has_flow_end);
            }
            break;
        case Section::kNetflow:
            if (k == "start") {
                return read_time(v, f_.flow_start_ns, f_.has_flow_start);
            }
            if (k == "end") {
                return read_time(v, f_.flow_end_ns, f_.has_flow_end);
            }
            break;
        case Section::kAnomaly:
            if (k == "event") {
                out_.event_code.assign(v);
            }
            break;
        default:
            break;
    }
    return true;
}

}  // namespace cyberalarm::parse::formats::eve
