package pt_online_schema_change_plugin;

use strict;
use Encode ();

sub new {
   my ($class, %args) = @_;
   return bless { %args }, $class;
}

sub init {
   my ($self, %args) = @_;
   $self->{orig} = $args{orig_tbl}->{name};
   $self->{db} = $args{orig_tbl}->{db};
   $self->{tbl} = $args{orig_tbl}->{tbl};
   my ($got) = $self->{cxn}->dbh()->selectrow_array("SELECT GET_LOCK(?, 0)", undef, $ENV{EMCEE_OSC_LOCK});
   die "another pt-online-schema-change started by emcee is running on this database (it holds the lock $ENV{EMCEE_OSC_LOCK})\n" unless $got;
   defined &pt_online_schema_change::exec_nibble && defined &pt_online_schema_change::create_trigger_sql
      or die "emcee's plugin needs the tool's exec_nibble and create_trigger_sql (pt-online-schema-change 3.2.1)\n";
   my $copy = \&pt_online_schema_change::exec_nibble;
   no warnings 'redefine';
   *pt_online_schema_change::exec_nibble = sub {
      my (%args) = @_;
      my $dbh = $args{Cxn}->dbh();
      $dbh->do('SET SESSION sql_buffer_result = 1');
      my $t = eval { $copy->(@_) };
      my $err = $@;
      # The tool may have reconnected while it retried the chunk: the
      # handle taken above is then gone, and failing here would stop a
      # copy that recovered. The next chunk sets it on the new one.
      eval { $args{Cxn}->dbh()->do('SET SESSION sql_buffer_result = 0') };
      die $err if $err;
      die "emcee stopped the copy: a value was cut to fit the altered column (MySQL error 1265 above), which the server running the statement refuses\n"
         if $args{stats}->{mysql_warning_1265};
      return $t;
   };
   my %exact;
   my $triggers = $self->{cxn}->dbh()->selectall_arrayref(
      "SELECT TRIGGER_NAME, ACTION_STATEMENT, CHARACTER_SET_CLIENT FROM information_schema.TRIGGERS"
      . " WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?", undef, $self->{db}, $self->{tbl});
   for my $tr (@$triggers) {
      my ($name, $body, $cs) = @$tr;
      my $dbh = $self->{cxn}->dbh();
      my $show = $dbh->selectrow_arrayref("SHOW CREATE TRIGGER " . $dbh->quote_identifier($self->{db}) . "." . $dbh->quote_identifier($name));
      my $stmt = $show ? $show->[2] : '';
      my $text = substr($stmt, length($stmt) - length($body));
      (my $seen = $text) =~ s/[^\x{0}-\x{FFFF}]/?/g;
      die "emcee's plugin: the body of trigger $name in information_schema is not the end of the statement SHOW CREATE TRIGGER prints\n"
         unless length($stmt) >= length($body) && $seen eq $body;
      $cs = lc($cs);
      my $enc = $cs =~ /^utf8/ ? 'UTF-8' : $cs eq 'latin1' ? 'cp1252' : $cs eq 'ascii' ? 'ascii' : $cs;
      Encode::find_encoding($enc)
         or die "emcee's plugin: trigger $name was created in character set $cs, in which emcee cannot send it to the server\n";
      $exact{$name} = { body => $body, text => $text, enc => $enc };
   }
   my $trigger_sql = \&pt_online_schema_change::create_trigger_sql;
   *pt_online_schema_change::create_trigger_sql = sub {
      my (%args) = @_;
      my $t = $args{trigger};
      my $e = $exact{$t->{trigger_name}};
      die "emcee's plugin: trigger $t->{trigger_name} changed while the tool copied the table\n"
         unless $e && $e->{body} eq $t->{action_statement};
      my $sqls = $trigger_sql->(%args, trigger => { %$t, action_statement => $e->{text} });
      return [ map { /^CREATE DEFINER=/ ? Encode::encode($e->{enc}, $_, Encode::FB_CROAK) : $_ } @$sqls ];
   };
   if (defined &WeightedAvgRate::update) {
      my $rate = \&WeightedAvgRate::update;
      *WeightedAvgRate::update = sub {
         my $n = $rate->(@_);
         return $n < 100 ? 100 : $n;
      };
   }
}

sub tool_name {
   my ($name) = @_;
   $name =~ s/^__// or $name = "_" . $name;
   return substr($name, 0, 64);
}

sub before_alter_new_table {
   my ($self, %args) = @_;
   my $dbh = $self->{cxn}->dbh();
   my ($version) = $dbh->selectrow_array("SELECT VERSION()");
   return unless $version =~ /MariaDB/;
   my $checks = $dbh->selectall_arrayref(
      "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
      . " WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? AND LEVEL = 'Table' ORDER BY CONSTRAINT_NAME",
      undef, $self->{db}, $self->{tbl});
   return unless @$checks;
   my $copy = $args{new_tbl}->{name};
   $dbh->do("ALTER TABLE $copy " . join(", ", map { "DROP CONSTRAINT " . $dbh->quote_identifier(tool_name($_->[0])) } @$checks));
   $dbh->do("ALTER TABLE $copy " . join(", ", map { "ADD CONSTRAINT " . $dbh->quote_identifier($_->[0]) . " CHECK (" . $_->[1] . ")" } @$checks));
}

sub after_alter_new_table {
   my ($self, %args) = @_;
   $self->{new} = $args{new_tbl}->{name};
}

sub before_create_triggers {
   my ($self) = @_;
   my $dbh = $self->{cxn}->dbh();
   $dbh->do("LOCK TABLES $self->{orig} WRITE, $self->{new} WRITE");
   $dbh->do("DO SLEEP(0.1)");
}

sub after_create_triggers {
   my ($self) = @_;
   $self->{cxn}->dbh()->do("UNLOCK TABLES");
}

1;
