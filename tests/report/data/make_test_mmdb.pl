# Writes a tiny MaxMind DB for the GeoIP tests: 198.51.100.0/24 is "Germany", AS64500
# "Example <Net>" (a name with markup, to check escaping). Needs libmaxmind-db-writer-perl.
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my %types = (country => 'map', iso_code => 'utf8_string', names => 'map', en => 'utf8_string',
             autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => 24, database_type => 'cyberalarm-test',
    languages => ['en'], description => { en => 'cyberalarm test database' },
    remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
    map_key_type_callback => sub { $types{ $_[0] } });
$tree->insert_network('198.51.100.0/24', { country => { iso_code => 'DE', names => { en => 'Germany' } },
    autonomous_system_number => 64500, autonomous_system_organization => 'Example <Net>' });
open my $fh, '>:raw', $ARGV[0] or die; $tree->write_tree($fh); close $fh;
