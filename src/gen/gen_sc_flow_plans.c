/*
 * The plans of the VPC flow detection scenarios (gen_sc_flow.h), one const
 * struct fl_plan each, played by the engine in gen_sc_flow.c.
 */
#include "gen/gen_sc_flow.h"
#include "gen/gen_sc_flow_impl.h"

#define FL_SCENARIO(var, nm, type, pl)                                                             \
    const struct cm_gen_scenario var = {nm,                                                        \
                                        type,                                                      \
                                        CM_GEN_KIND_BIT(CM_GEN_VPCFLOW),                           \
                                        cm_gen_fl_emit,                                            \
                                        cm_gen_fl_intel,                                           \
                                        cm_gen_fl_expect,                                          \
                                        &pl,                                                       \
                                        cm_gen_fl_needs}

#define BRUTE(d)   (CM_GEN_SC_NET_BRUTE + (d))
#define SCANNER(d) (CM_GEN_SC_NET_SCANNER + (d))
#define VICTIM(d)  (CM_GEN_SC_NET_VICTIM + (d))
#define SWEEP(d)   (CM_GEN_SC_NET_SWEEP + (d))
#define H25        (25u * 3600u) /* a learning day after the run's first hour */
/* clang-format off */
#define END        {0} /* n = 0 ends the plan */
/* clang-format on */

/*
 * Step columns: at, host, dir, proto, accept, peer, port, nports, n, every,
 * packets, size, dur, reply, hit, npeers.
 */

/*
 * SSH brute force on the bastion: 20 accepted guesses of 18 packets in 4
 * minutes from one address. Near misses: 5 failed logins, 60 rejected
 * connections (the internet's noise), a health checker every minute for 30
 * minutes, 19 guesses with their replies, SSH on another port.
 */
static const struct fl_plan ssh_target = {
    CM_GEN_TIER_BASTION,
    CM_GEN_TIER_WEB,
    1,
    2,
    "TARGET/INBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, BRUTE(11), 22, 1, 20, 12, 18, 90, 3, 1, 1, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 1, BRUTE(12), 22, 1, 5, 20, 22, 90, 4, 1, 0, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 0, BRUTE(13), 22, 1, 60, 3, 1, 60, 0, 0, 0, 1},
     {600, HOST_OTHER, DIR_IN, 6, 1, BRUTE(14), 22, 1, 30, 60, 8, 80, 1, 1, 0, 1},
     {2400, HOST_MAIN, DIR_IN, 6, 1, BRUTE(15), 22, 1, 19, 10, 18, 90, 3, 1, 0, 1},
     {2400, HOST_OTHER, DIR_IN, 6, 1, BRUTE(16), 2222, 1, 40, 5, 18, 90, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_ssh_brute_target, "ssh-brute-target", "UnauthorizedAccess:EC2/SSHBruteForce",
            ssh_target);

/*
 * A compromised app server guessing SSH passwords of an internet host: 20
 * connections in 4 minutes, some rejected by its own security group (they
 * count: it tried). Near misses: 19 guesses to a second host, the worker's
 * SSH sessions of 400 packets to a third every minute (not guesses).
 */
static const struct fl_plan ssh_actor = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(21), 22, 1, 12, 12, 14, 90, 3, 1, 1, 1},
     {744, HOST_MAIN, DIR_OUT, 6, 0, BRUTE(21), 22, 1, 8, 12, 2, 60, 0, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(22), 22, 1, 19, 15, 14, 90, 3, 1, 0, 1},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, BRUTE(23), 22, 1, 20, 60, 400, 120, 50, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_ssh_brute_actor, "ssh-brute-actor", "UnauthorizedAccess:EC2/SSHBruteForce",
            ssh_actor);

/*
 * A compromised worker guessing RDP passwords of an internet host: 20
 * connections in 4 minutes. Near misses: 19 to another host, 30 to a third
 * host's port 3390 (not RDP), RDP sessions of hundreds of packets.
 */
static const struct fl_plan rdp_actor = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(31), 3389, 1, 20, 12, 24, 120, 4, 1, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(32), 3389, 1, 19, 12, 24, 120, 4, 1, 0, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, BRUTE(33), 3390, 1, 30, 10, 24, 120, 4, 1, 0, 1},
     {2400, HOST_OTHER, DIR_OUT, 6, 1, BRUTE(34), 3389, 1, 25, 20, 600, 400, 15, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_rdp_brute_actor, "rdp-brute-actor", "UnauthorizedAccess:EC2/RDPBruteForce",
            rdp_actor);

/*
 * WinRM brute force on the web server: 20 accepted guesses on 5986 (WinRM
 * over HTTPS) in 4 minutes from one address. Near misses: 60 rejected
 * connections to 5985 from another, 8 guesses on 5985 from a third.
 */
static const struct fl_plan winrm_target = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_BASTION,
    1,
    2,
    "TARGET/INBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, BRUTE(41), 5986, 1, 20, 12, 20, 150, 3, 1, 1, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 0, BRUTE(42), 5985, 1, 60, 4, 1, 60, 0, 0, 0, 1},
     {2400, HOST_MAIN, DIR_IN, 6, 1, BRUTE(43), 5985, 1, 8, 30, 20, 150, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_winrm_brute_target, "winrm-brute-target", "Impact:EC2/WinRMBruteForce",
            winrm_target);

/*
 * A listed scanner gets through the web server's security group on SSH,
 * MySQL and PostgreSQL (one connection each). Near misses: the same scanner
 * on 443 and 80 and on QUIC (UDP/443), its 200 rejected single probes, an
 * unlisted neighbour on MySQL, a listed address that is also trusted.
 */
static const struct fl_plan port_probe = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    2,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(10), SCANNER(12), 0},
    {SCANNER(12), 0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 22, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 3306, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {720, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 5432, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {780, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 443, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     {840, HOST_MAIN, DIR_IN, 6, 1, SCANNER(10), 80, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     {900, HOST_MAIN, DIR_IN, 17, 1, SCANNER(10), 443, 1, 1, 1, 20, 1200, 2, 1, 0, 1},
     {1200, HOST_MAIN, DIR_IN, 6, 0, SCANNER(10), 1000, 200, 200, 1, 1, 44, 0, 0, 0, 1},
     {1800, HOST_MAIN, DIR_IN, 6, 1, SCANNER(11), 3306, 1, 1, 1, 3, 60, 1, 1, 0, 1},
     {1860, HOST_MAIN, DIR_IN, 6, 1, SCANNER(12), 3306, 1, 1, 1, 3, 60, 1, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_port_probe, "port-probe", "Recon:EC2/PortProbeUnprotectedPort", port_probe);

/*
 * A listed scanner reaches the app server's Elasticsearch ports 9200 and
 * 9300 (High). Near misses: its rejected probes of the other instance.
 */
static const struct fl_plan port_probe_elastic = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_DB,
    1,
    8,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(20), 0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(20), 9200, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(20), 9300, 1, 1, 1, 3, 60, 1, 1, 1, 1},
     {720, HOST_OTHER, DIR_IN, 6, 0, SCANNER(20), 9200, 1, 3, 20, 1, 60, 0, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_port_probe_elastic, "port-probe-elastic",
            "Recon:EC2/PortProbeUnprotectedPort", port_probe_elastic);

/*
 * A listed scanner reaches the YARN ResourceManager (8088) and Livy (8998)
 * web ports of an EMR primary node (High; the inventory gen writes tags the
 * node). Near misses: the same scanner rejected at 8088 by the other
 * instance, an unlisted scanner on 8088 of the EMR node, the listed scanner
 * on 443 of the EMR node.
 */
static const struct fl_plan port_probe_emr = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_DB,
    1,
    8,
    "TARGET/PORT_PROBE",
    NULL,
    "scanner",
    {SCANNER(30), 0},
    {0},
    {{600, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 8088, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {660, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 8998, 1, 1, 1, 5, 200, 1, 1, 1, 1},
     {720, HOST_OTHER, DIR_IN, 6, 0, SCANNER(30), 8088, 1, 3, 20, 1, 60, 0, 0, 0, 1},
     {780, HOST_MAIN, DIR_IN, 6, 1, SCANNER(31), 8088, 1, 1, 1, 5, 200, 1, 1, 0, 1},
     {840, HOST_MAIN, DIR_IN, 6, 1, SCANNER(30), 443, 1, 1, 1, 6, 300, 1, 1, 0, 1},
     END}};
const struct cm_gen_scenario cm_gen_sc_port_probe_emr = {"port-probe-emr",
                                                         "Recon:EC2/PortProbeEMRUnprotectedPort",
                                                         CM_GEN_KIND_BIT(CM_GEN_VPCFLOW),
                                                         cm_gen_fl_emit,
                                                         cm_gen_fl_intel,
                                                         cm_gen_fl_expect,
                                                         &port_probe_emr,
                                                         cm_gen_fl_needs_emr};

/*
 * The app server scans 100 ports of an internet host in 200 seconds (single
 * SYNs answered by RSTs), then one more port in the next 10-minute epoch:
 * the first detection counts the probes up to the threshold, the second the
 * rest. Near misses: 18 distinct ports of a second host, the worker's health
 * check of 4 ports of a third every 15 s for 10 minutes.
 */
static const struct fl_plan portscan = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    1,
    5,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(20), 1000, 100, 100, 2, 1, 60, 0, 1, 1, 1},
     {1500, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(20), 1100, 1, 1, 1, 1, 60, 0, 1, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(21), 2000, 18, 18, 3, 1, 60, 0, 1, 0, 1},
     {2400, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(22), 8000, 4, 40, 15, 3, 90, 1, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_portscan, "portscan", "Recon:EC2/Portscan", portscan);

/*
 * A SYN flood from the web server: 40 5-tuples of 4,600 packets over one
 * minute (78 packets/s each; 184,000 in the minute, the last crosses). Near misses: a large
 * upload (10 connections of 300,000 full-size packets a minute), a flood of
 * 60 5-tuples at 2,900 packets/s in all.
 */
static const struct fl_plan dos_tcp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(30), 80, 1, 40, 0, 4600, 60, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(31), 443, 1, 10, 0, 300000, 1500, 59, 1, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(32), 80, 1, 60, 0, 2900, 60, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_tcp, "dos-tcp", "Backdoor:EC2/DenialOfService.Tcp", dos_tcp);

/*
 * A UDP flood of 284-byte datagrams to a game server port: 10 flows of
 * 18,500 packets in one minute. Near misses: QUIC (UDP/443) at 10,000 small
 * packets/s, a media stream of 1,300-byte datagrams at 5,000/s.
 */
static const struct fl_plan dos_udp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(40), 27015, 1, 10, 0, 18500, 284, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(41), 443, 1, 1, 0, 600000, 120, 59, 1, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(42), 5004, 1, 5, 0, 60000, 1300, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_udp, "dos-udp", "Backdoor:EC2/DenialOfService.Udp", dos_udp);

/*
 * A UDP flood to port 80 (a TCP service): 10 flows of 18,500 small
 * datagrams in a minute. Near miss: an IPsec (ESP) tunnel of as many packets.
 */
static const struct fl_plan dos_udp_tcp = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(50), 80, 1, 10, 0, 18500, 284, 59, 0, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 50, 1, VICTIM(51), 0, 1, 10, 0, 20000, 200, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_udp_tcp_ports, "dos-udp-tcp-ports",
            "Backdoor:EC2/DenialOfService.UdpOnTcpPorts", dos_udp_tcp);

/*
 * A DNS flood (92-byte queries) to a public resolver: 10 flows of 18,500 in
 * a minute. Near misses: a flood at 2,900 packets/s for ten minutes, just
 * under the rate; as heavy DNS to the VPC resolver (inside the VPC; real
 * flow logs leave the resolver's traffic out, a forwarder's is logged).
 */
static const struct fl_plan dos_dns = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(60), 53, 1, 10, 0, 18500, 92, 59, 0, 1, 1},
     {1800, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(61), 53, 1, 10, 60, 174000, 92, 59, 0, 0, 1},
     {2400, HOST_MAIN, DIR_OUT, 17, 1, PEER_VPC_RESOLVER, 53, 1, 10, 0, 18500, 92, 59, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_dns, "dos-dns", "Backdoor:EC2/DenialOfService.Dns", dos_dns);

/*
 * A flood of GRE (protocol 47) packets: 10 records of 18,500 in a minute.
 * Near miss: an ICMP flood (not one of these types).
 */
static const struct fl_plan dos_proto = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{1200, HOST_MAIN, DIR_OUT, 47, 1, VICTIM(70), 0, 1, 10, 0, 18500, 100, 59, 0, 1, 1},
     {2400, HOST_MAIN, DIR_OUT, 1, 1, VICTIM(71), 0, 1, 10, 0, 20000, 84, 59, 0, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_dos_unusual_protocol, "dos-unusual-protocol",
            "Backdoor:EC2/DenialOfService.UnusualProtocol", dos_proto);

/*
 * After a day of ordinary traffic the database host sends 8 GiB to an
 * internet host in one minute. Near misses: the same burst from the worker
 * during its learning day, 900 MiB from the database host to another host
 * (below the floor), 6 GiB from it to S3 (its own storage; told apart by
 * AWS's ranges, which the scenario needs). The resource role is the finding type table's TARGET
 * (docs/detectors/vpcflow-pair.md says ACTOR for every pair detection).
 */
static const struct fl_plan traffic_volume = {
    CM_GEN_TIER_DB,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    NULL,
    NULL,
    {0},
    {0},
    {{25 * 3600 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(80), 443, 1, 1, 0, 1000000, 8600, 59, 1, 1,
      1},
     {2 * 3600 + 600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(81), 443, 1, 1, 0, 750000, 8600, 59, 1, 0,
      1},
     {25 * 3600 + 1800, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(82), 443, 1, 1, 0, 110000, 8600, 59, 1, 0,
      1},
     {25 * 3600 + 2400, HOST_MAIN, DIR_OUT, 6, 1, PEER_S3, 443, 1, 1, 0, 750000, 8600, 59, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_traffic_volume, "traffic-volume", "Behavior:EC2/TrafficVolumeUnusual",
            traffic_volume);

/*
 * The worker sweeps TCP/23 (telnet, as Mirai does) of 50 internet hosts in
 * 100 seconds: two bare SYNs each, no answer. Near misses: the app server's
 * crawl of 112 HTTPS hosts of which 12 are dead, and its DNS recursion to
 * 100 name servers (one-packet UDP/53 requests).
 */
static const struct fl_plan port_sweep = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    1,
    8,
    "ACTOR/OUTBOUND",
    "scannedPort=23",
    NULL,
    {0},
    {0},
    {{600, HOST_MAIN, DIR_OUT, 6, 1, SWEEP(1), 23, 1, 50, 2, 2, 60, 3, 0, 1, 50},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(1), 443, 1, 100, 3, 20, 800, 5, 1, 0, 100},
     {1800, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(101), 443, 1, 12, 20, 2, 60, 3, 0, 0, 12},
     {2400, HOST_OTHER, DIR_OUT, 17, 1, SWEEP(1), 53, 1, 100, 1, 1, 70, 0, 1, 0, 100},
     END}};
FL_SCENARIO(cm_gen_sc_port_sweep, "port-sweep", "Impact:EC2/PortSweep", port_sweep);

/*
 * After its learning day the app server, which never sent mail, delivers
 * on TCP/25 to 5 mail servers in 2 minutes. Near misses: the worker sends
 * mail to 5 servers during its learning day (a mail sender) and to 8 more
 * after it.
 */
static const struct fl_plan spambot = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=25",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, SWEEP(200), 25, 1, 5, 30, 20, 500, 5, 1, 1, 5},
     {3600, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(210), 25, 1, 5, 30, 20, 500, 5, 1, 0, 5},
     {H25 + 600, HOST_OTHER, DIR_OUT, 6, 1, SWEEP(220), 25, 1, 8, 30, 20, 500, 5, 1, 0, 8},
     END}};
FL_SCENARIO(cm_gen_sc_spambot, "spambot", "Backdoor:EC2/Spambot", spambot);

/*
 * After its learning day the database host connects out to IRC (6667),
 * twice 11 minutes apart (a detection, then a report of the episode). Near
 * misses: MQTT (8883) used during learning and again after it, an inbound
 * connection to a port it never used. (Not the app server: in a run of
 * every scenario, its port scan overflows its port history, which then
 * holds every port.)
 */
static const struct fl_plan network_port = {
    CM_GEN_TIER_DB,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=6667",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(91), 6667, 1, 2, 660, 12, 300, 5, 1, 1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(90), 8883, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(90), 8883, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     {H25 + 960, HOST_MAIN, DIR_IN, 6, 1, BRUTE(90), 7000, 1, 1, 0, 12, 300, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_network_port_unusual, "network-port-unusual",
            "Behavior:EC2/NetworkPortUnusual", network_port);

/*
 * After its learning day the worker connects out to LDAP on 1389: the JNDI
 * callback of a Log4Shell exploit (High). Near miss: the app server's LDAP
 * (389) to its directory during learning and after it.
 */
static const struct fl_plan network_port_ldap = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    26,
    8,
    "TARGET/OUTBOUND",
    "unusual=1389&context=\"Possible log4j callback\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(95), 1389, 1, 1, 0, 8, 300, 3, 1, 1, 1},
     {3600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(96), 389, 1, 1, 0, 12, 200, 3, 1, 0, 1},
     {H25 + 600, HOST_OTHER, DIR_OUT, 6, 1, VICTIM(96), 389, 1, 1, 0, 12, 200, 3, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_network_port_unusual_ldap, "network-port-unusual-ldap",
            "Behavior:EC2/NetworkPortUnusual", network_port_ldap);

/*
 * After its learning day the worker asks Cloudflare's 1.1.1.1 on UDP/53,
 * twice 11 minutes apart. Near misses: Google Public DNS used during
 * learning and again after it (8.8.4.4: the same provider), DNS to a host
 * that is no listed resolver.
 */
static const struct fl_plan unusual_dns = {
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_APP,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"1.1.1.1\"&provider=\"Cloudflare DNS\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(1, 1, 1, 1), 53, 1, 2, 660, 1, 70, 0, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 53, 1, 1, 0, 1, 70, 0, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 17, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 53, 1, 1, 0, 1, 70, 0, 1, 0,
      1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 17, 1, VICTIM(92), 53, 1, 1, 0, 1, 70, 0, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_dns_resolver, "unusual-dns-resolver",
            "DefenseEvasion:EC2/UnusualDNSResolver", unusual_dns);

/*
 * After its learning day the app server talks DNS over HTTPS to Quad9
 * (9.9.9.9:443), twice 11 minutes apart. Near misses: Google's DoH during
 * learning and after it, HTTPS to a host that is no listed resolver.
 */
static const struct fl_plan unusual_doh = {
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"9.9.9.9\"&provider=\"Quad9\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(9, 9, 9, 9), 443, 1, 2, 660, 20, 400, 5, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 443, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 443, 1, 1, 0, 20, 400, 5, 1,
      0, 1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(93), 443, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_doh, "unusual-doh", "DefenseEvasion:EC2/UnusualDoHActivity",
            unusual_doh);

/*
 * After its learning day the web server talks DNS over TLS to Cloudflare
 * (1.1.1.1:853), twice 11 minutes apart. Near misses: Google's DoT during
 * learning and after it, TCP/853 to a host that is no listed resolver.
 */
static const struct fl_plan unusual_dot = {
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_APP,
    26,
    5,
    "TARGET/OUTBOUND",
    "unusual=\"1.1.1.1\"&provider=\"Cloudflare DNS\"",
    NULL,
    {0},
    {0},
    {{H25 + 600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(1, 1, 1, 1), 853, 1, 2, 660, 20, 400, 5, 1,
      1, 1},
     {3600, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 8, 8), 853, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     {H25 + 900, HOST_MAIN, DIR_OUT, 6, 1, CM_GEN_SC_IP4(8, 8, 4, 4), 853, 1, 1, 0, 20, 400, 5, 1,
      0, 1},
     {H25 + 960, HOST_MAIN, DIR_OUT, 6, 1, VICTIM(94), 853, 1, 1, 0, 20, 400, 5, 1, 0, 1},
     END}};
FL_SCENARIO(cm_gen_sc_unusual_dot, "unusual-dot", "DefenseEvasion:EC2/UnusualDoTActivity",
            unusual_dot);
