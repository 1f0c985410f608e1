#!/usr/bin/python3
"""Deterministic gateway-log generator for the bundled sample and the benchmarks.

    loggen.py sample  OUT.log            a small member-week: normal traffic, a port scan, a
                                         host sweep, SSH brute force, IDS alerts, beaconing
    loggen.py iptables N OUT.log         N netfilter LOG lines (benchmark)
    loggen.py mixed N OUT.log            N lines across vendor formats (benchmark)

Every line is written here from the vendors' documented formats, with addresses from the
documentation ranges (RFC 5737 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) for the
outside world and RFC 1918 space for the member's inside. Output is the same for the same
arguments (fixed random seed), so figures are repeatable.
"""
import datetime as dt
import json
import random
import sys

MEMBER_PUBLIC = "203.0.113.10"     # the member's public address
MEMBER_WEB = "203.0.113.11"
INSIDE = ["10.20.0.%d" % i for i in range(10, 60)]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def bsd(t):
    return "%s %2d %02d:%02d:%02d" % (MONTHS[t.month - 1], t.day, t.hour, t.minute, t.second)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+00:00" % t.microsecond


def iptables(t, src, dst, proto, sport, dport, action="DROP", host="gw1"):
    flags = "SYN " if proto == "TCP" else ""
    ports = "SPT=%d DPT=%d " % (sport, dport)
    extra = "WINDOW=1024 RES=0x00 %sURGP=0" % flags if proto == "TCP" else "LEN=%d" % 40
    return ("%s %s kernel: [%d.%06d] [FW %s] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
            "SRC=%s DST=%s LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=%s %s%s"
            % (bsd(t), host, 100000 + t.second, t.microsecond, action, src, dst,
               random.randint(30, 64), random.randint(1, 65535), proto, ports, extra))


def sshd_fail(t, src, sport, user, host="web1"):
    invalid = "invalid user " if user not in ("root", "admin") else ""
    return ("%s %s sshd[%d]: Failed password for %s%s from %s port %d ssh2"
            % (bsd(t), host, random.randint(1000, 30000), invalid, user, src, sport))


def sshd_ok(t, src, sport, user, host="web1"):
    return ("%s %s sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:abc"
            % (bsd(t), host, random.randint(1000, 30000), user, src, sport))


def asa_deny(t, src, dst, sport, dport, host="asa1"):
    stamp = "%s %02d %d %s" % (MONTHS[t.month - 1], t.day, t.year, t.strftime("%H:%M:%S"))
    return ('<164>%s %s : %%ASA-4-106023: Deny tcp src outside:%s/%d dst inside:%s/%d '
            'by access-group "outside_access_in" [0x0, 0x0]' % (stamp, host, src, sport, dst, dport))


def fortigate(t, src, dst, sport, dport, action="accept", sent=0, rcvd=0):
    return ('date=%s time=%s devname="FGT60F" devid="FGT60FTK0000000" logid="0000000013" type="traffic" '
            'subtype="forward" level="notice" vd="root" eventtime=%d tz="+0000" srcip=%s srcport=%d '
            'srcintf="internal" srcintfrole="lan" dstip=%s dstport=%d dstintf="wan1" dstintfrole="wan" '
            'sessionid=%d proto=6 action="%s" policyid=1 policytype="policy" service="HTTPS" '
            'duration=%d sentbyte=%d rcvdbyte=%d sentpkt=%d rcvdpkt=%d'
            % (t.strftime("%Y-%m-%d"), t.strftime("%H:%M:%S"), int(t.timestamp() * 1e9), src, sport, dst,
               dport, random.randint(1, 10**7), action, random.randint(1, 300), sent, rcvd,
               max(1, sent // 500), max(1, rcvd // 500)))


def filterlog(t, src, dst, sport, dport, action="block"):
    return ("%s pfsense filterlog[%d]: 5,,,1000000103,em0,match,%s,in,4,0x0,,64,%d,0,DF,6,tcp,60,%s,%s,%d,%d,0,S,%d,,64240,,mss;sackOK;TS;nop;wscale"
            % (bsd(t), random.randint(100, 9999), action, random.randint(1, 65535), src, dst, sport, dport,
               random.randint(1, 2**31)))


def panos(t, src, dst, sport, dport, action="allow"):
    stamp = t.strftime("%Y/%m/%d %H:%M:%S")
    return ("<14>%s PA-3220 1,%s,012801000001,TRAFFIC,end,2560,%s,%s,%s,0.0.0.0,0.0.0.0,allow-web,,,ssl,vsys1,"
            "trust,untrust,ethernet1/2,ethernet1/1,Forward,%s,%d,1,%d,%d,0,0,0x400000,tcp,%s,%d,%d,%d,%d,%s,"
            "30,any,0,%d,0x0,10.0.0.0-10.255.255.255,United States,0,7,5,tcp-fin"
            % (bsd(t), stamp, stamp, src, dst, stamp, random.randint(1, 10**6), sport, dport, action,
               5000, 1200, 3800, 12, stamp, random.randint(1, 10**9)))


def eve_alert(t, src, dst, sport, dport, sid, msg, severity=2):
    return json.dumps({
        "timestamp": iso(t), "flow_id": random.randint(1, 2**50), "in_iface": "eth0",
        "event_type": "alert", "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport,
        "proto": "TCP", "alert": {"action": "allowed", "gid": 1, "signature_id": sid, "rev": 3,
                                   "signature": msg, "category": "Attempted Administrator Privilege Gain",
                                   "severity": severity}}, separators=(",", ":"))


def srx(t, src, dst, sport, dport):
    return ('<14>1 %s srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.40 reason="TCP FIN" '
            'source-address="%s" source-port="%d" destination-address="%s" destination-port="%d" '
            'service-name="junos-https" nat-source-address="%s" nat-source-port="%d" '
            'nat-destination-address="%s" nat-destination-port="%d" src-nat-rule-name="None" '
            'dst-nat-rule-name="None" protocol-id="6" policy-name="trust-to-untrust" '
            'source-zone-name="trust" destination-zone-name="untrust" session-id-32="%d" '
            'packets-from-client="12" bytes-from-client="1800" packets-from-server="10" '
            'bytes-from-server="9000" elapsed-time="4" application="UNKNOWN" nested-application="UNKNOWN" '
            'username="N/A" roles="N/A" packet-incoming-interface="ge-0/0/1.0" encrypted="No"]'
            % (t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), src, sport, dst, dport, MEMBER_PUBLIC,
               random.randint(1024, 65535), dst, dport, random.randint(1, 10**6)))


def sample(out):
    random.seed(20261123)
    start = dt.datetime(2026, 11, 16, 0, 0, 0, tzinfo=dt.timezone.utc)
    events = []
    week = 7 * 86400
    # Normal outbound web traffic from the inside, across vendors.
    for _ in range(900):
        t = start + dt.timedelta(seconds=random.randint(0, week))
        src = random.choice(INSIDE)
        dst = "198.51.100.%d" % random.randint(1, 254)
        fmt = random.choice(["fortigate", "panos", "srx"])
        sport = random.randint(32768, 60999)
        if fmt == "fortigate":
            events.append((t, fortigate(t, src, dst, sport, 443, "close", 2000, 40000)))
        elif fmt == "panos":
            events.append((t, panos(t, src, dst, sport, 443)))
        else:
            events.append((t, srx(t, src, dst, sport, 443)))
    # Background internet noise dropped at the edge.
    for _ in range(400):
        t = start + dt.timedelta(seconds=random.randint(0, week))
        src = "192.0.2.%d" % random.randint(1, 254)
        events.append((t, iptables(t, src, MEMBER_PUBLIC, "TCP", random.randint(1024, 65535),
                                   random.choice([23, 445, 3389, 8080, 5900]))))
    # A vertical port scan of the member's public address.
    scanner = "198.51.100.77"
    t0 = start + dt.timedelta(days=2, hours=3)
    for i, port in enumerate(random.sample(range(1, 1025), 300)):
        t = t0 + dt.timedelta(milliseconds=40 * i)
        events.append((t, iptables(t, scanner, MEMBER_PUBLIC, "TCP", 51515, port)))
    # A horizontal sweep of port 3389 across the member's public range.
    sweeper = "198.51.100.99"
    t0 = start + dt.timedelta(days=3, hours=14)
    for i in range(1, 60):
        t = t0 + dt.timedelta(milliseconds=200 * i)
        events.append((t, asa_deny(t, sweeper, "203.0.113.%d" % i, 40000 + i, 3389)))
    # SSH brute force against the web server (its auth log), then one success by the owner.
    brute = "192.0.2.200"
    t0 = start + dt.timedelta(days=4, hours=22)
    for i in range(120):
        t = t0 + dt.timedelta(seconds=3 * i)
        events.append((t, sshd_fail(t, brute, 40000 + i, random.choice(["root", "admin", "oracle", "test", "ubuntu"]))))
    for day in range(7):
        t = start + dt.timedelta(days=day, hours=9, minutes=random.randint(0, 30))
        events.append((t, sshd_ok(t, "10.20.0.15", 50000 + day, "deploy")))
    # IDS alerts: exploitation attempts against the web server.
    for i in range(25):
        t = start + dt.timedelta(days=5, hours=random.randint(0, 23), minutes=random.randint(0, 59))
        events.append((t, eve_alert(t, "198.51.100.150", MEMBER_WEB, random.randint(1024, 65535), 80,
                                    2024897, "ET EXPLOIT Apache HTTP Server Path Traversal Attempt", 1)))
    # Beaconing: one inside host calling one outside address every 300 s with little jitter.
    beacon_src, beacon_dst = "10.20.0.42", "203.0.113.200"
    t0 = start + dt.timedelta(days=1)
    for i in range(200):
        t = t0 + dt.timedelta(seconds=300 * i + random.uniform(-3, 3))
        events.append((t, fortigate(t, beacon_src, beacon_dst, random.randint(32768, 60999), 443, "close", 900, 1200)))
    # Pfsense blocks of a distributed scan of port 22.
    for i in range(40):
        t = start + dt.timedelta(days=6, seconds=i * 30)
        events.append((t, filterlog(t, "198.51.100.%d" % (10 + i), MEMBER_PUBLIC, random.randint(1024, 65535), 22)))
    events.sort(key=lambda e: e[0])
    with open(out, "w") as f:
        for _, line in events:
            f.write(line + "\n")


def bench_iptables(n, out):
    random.seed(1)
    start = dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)
    with open(out, "w") as f:
        for i in range(n):
            t = start + dt.timedelta(milliseconds=i)
            proto = "TCP" if i % 5 else "UDP"
            f.write(iptables(t, "198.51.%d.%d" % (i % 256, (i >> 8) % 256), MEMBER_PUBLIC, proto,
                             random.randint(1024, 65535), random.randint(1, 65535)) + "\n")


def bench_mixed(n, out):
    random.seed(2)
    start = dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)
    makers = [
        lambda t, s, d, sp, dp: iptables(t, s, d, "TCP", sp, dp),
        lambda t, s, d, sp, dp: sshd_fail(t, s, sp, "root"),
        lambda t, s, d, sp, dp: asa_deny(t, s, d, sp, dp),
        lambda t, s, d, sp, dp: fortigate(t, s, d, sp, dp, "deny"),
        lambda t, s, d, sp, dp: filterlog(t, s, d, sp, dp),
        lambda t, s, d, sp, dp: panos(t, s, d, sp, dp),
        lambda t, s, d, sp, dp: eve_alert(t, s, d, sp, dp, 2001219, "ET SCAN Potential SSH Scan"),
        lambda t, s, d, sp, dp: srx(t, s, d, sp, dp),
    ]
    with open(out, "w") as f:
        for i in range(n):
            t = start + dt.timedelta(milliseconds=i)
            src = "198.51.%d.%d" % (i % 256, (i >> 8) % 256)
            f.write(makers[i % len(makers)](t, src, MEMBER_PUBLIC, random.randint(1024, 65535),
                                            random.randint(1, 65535)) + "\n")


def main(argv):
    if len(argv) == 3 and argv[1] == "sample":
        sample(argv[2])
    elif len(argv) == 4 and argv[1] in ("iptables", "mixed"):
        (bench_iptables if argv[1] == "iptables" else bench_mixed)(int(argv[2]), argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
