pir 2
set edge iface eth0 eth0.10 loc "p.sen":1:5
set web port 80 443 loc "p.sen":2:5
interfaces edge {eth0,eth0.10}
firewall default deny mode enforce loc "p.sen":7:1
rule ssh allow tcp src {10.0.0.0/8} dst any sport any dport {22} ct new loc "p.sen":9:10
rule web allow tcp src any dst any sport any dport set:web{80,443} ct {new,established} loc "p.sen":10:10
rule v6 allow icmpv6 src any dst any sport any dport any loc "p.sen":11:10
ratelimit mode enforce loc "p.sen":13:1
rule syn drop tcp src any dst any sport any dport set:web{80,443} rate 100/s algorithm token-bucket burst 50 window 0ns key cidr/24/64 loc "p.sen":14:10
rule dns log udp src any dst any sport any dport {53} rate 600/m algorithm sliding-window burst 0 window 10000000000ns key port loc "p.sen":15:10
rule all drop any src any dst any sport any dport any rate 10000/s algorithm fixed-window burst 0 window 1000000000ns key global loc "p.sen":16:10
conntrack established allow timeout tcp-syn 60000000000ns timeout tcp-established 432000000000000ns timeout tcp-closing 120000000000ns timeout tcp-close 10000000000ns timeout udp 20000000000ns timeout udp-stream 180000000000ns timeout icmp 30000000000ns timeout other 600000000000ns loc "p.sen":3:1
