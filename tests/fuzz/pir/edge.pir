pir 2
set blocklist cidr 198.51.100.0/24 203.0.113.0/24 2001:db8:bad::/48 loc "policies/examples/edge/edge.sen":4:5
set office cidr 10.200.0.0/24 fd00:200::/64 loc "policies/examples/edge/edge.sen":2:5
set web port 80 443 8000..8099 loc "policies/examples/edge/edge.sen":3:5
firewall default deny mode enforce loc "policies/examples/edge/edge.sen":6:1
rule blocklisted deny any src set:blocklist{198.51.100.0/24,203.0.113.0/24,2001:db8:bad::/48} dst any sport any dport any desc "known bad networks" loc "policies/examples/edge/edge.sen":10:10
rule ssh-office allow tcp src set:office{10.200.0.0/24,fd00:200::/64} dst any sport any dport {22} desc "admins from the office" loc "policies/examples/edge/edge.sen":11:10
rule no-telnet deny tcp src any dst any sport any dport {23} loc "policies/examples/edge/edge.sen":12:10
rule web allow tcp src any dst any sport any dport set:web{80,443,8000..8099} loc "policies/examples/edge/edge.sen":13:10
rule dns allow udp src set:office{10.200.0.0/24,fd00:200::/64} dst any sport {1024..65535} dport {53} loc "policies/examples/edge/edge.sen":14:10
rule ping log icmp src any dst any sport any dport any desc "pings are logged" loc "policies/examples/edge/edge.sen":15:10
rule icmpv6 allow icmpv6 src any dst any sport any dport any desc "neighbour discovery and ping6" loc "policies/examples/edge/edge.sen":16:10
