pir 2
set monitoring cidr 10.50.0.0/16 loc "policies/examples/audit/rollout.sen":3:5
firewall default deny mode audit loc "policies/examples/audit/rollout.sen":5:1
rule https allow tcp src any dst any sport any dport {443} loc "policies/examples/audit/rollout.sen":9:10
rule metrics allow tcp src set:monitoring{10.50.0.0/16} dst any sport any dport {9100} loc "policies/examples/audit/rollout.sen":10:10
rule no-smb deny tcp src any dst any sport any dport {445} loc "policies/examples/audit/rollout.sen":11:10
rule trace-dns log udp src any dst any sport any dport {53} loc "policies/examples/audit/rollout.sen":12:10
