-- PrestaShop 1.7.6's ps_address declared for emcee (install-dev/data/
-- db_structure.sql, trimmed): its flags, tinyint(1) unsigned, which Atlas
-- reads as a bool, written tinyint unsigned, as emcee asks.
CREATE TABLE `ps_address` (
  `id_address` int(10) unsigned NOT NULL auto_increment,
  `alias` varchar(32) NOT NULL,
  `active` tinyint unsigned NOT NULL DEFAULT '1',
  `deleted` tinyint unsigned NOT NULL DEFAULT '0',
  PRIMARY KEY (`id_address`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE utf8_general_ci;
