pir 2
set admins cidr 2001:db8:1::/48 192.0.2.10 loc "policies/examples/dualstack/server.sen":2:5
set databases port 3306 5432 6379 loc "policies/examples/dualstack/server.sen":4:5
set internal cidr 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fd00::/8 loc "policies/examples/dualstack/server.sen":3:5
firewall default allow mode enforce loc "policies/examples/dualstack/server.sen":6:1
rule admin-ssh allow tcp src set:admins{2001:db8:1::/48,192.0.2.10} dst any sport any dport {22} loc "policies/examples/dualstack/server.sen":10:10
rule ssh-others deny tcp src any dst any sport any dport {22} loc "policies/examples/dualstack/server.sen":11:10
rule db-outside deny tcp src !set:internal{10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8} dst any sport any dport set:databases{3306,5432,6379} desc "databases stay inside" loc "policies/examples/dualstack/server.sen":12:10
rule netbios deny udp src any dst any sport any dport {137..139} loc "policies/examples/dualstack/server.sen":13:10
rule v4-bogon deny any src {0.0.0.0/8,240.0.0.0/4} dst {10.0.0.0/8} sport any dport any loc "policies/examples/dualstack/server.sen":14:10
rule mcast6 log icmpv6 src any dst {ff02::/16} sport any dport any loc "policies/examples/dualstack/server.sen":15:10
rule doc-range deny tcp src {2001:db8::/32} dst {fd00::/8,2001:db8::/32} sport any dport {9000..9100} loc "policies/examples/dualstack/server.sen":16:10
