-- PrestaShop 1.7.7's ps_hook (install-dev/data/db_structure.sql, trimmed):
-- the installer names the charset of every table, whatever the database's.
SET SESSION sql_mode='';
SET NAMES 'utf8mb4';

CREATE TABLE `ps_hook` (
  `id_hook` int(10) unsigned NOT NULL auto_increment,
  `name` varchar(191) NOT NULL,
  `title` varchar(255) NOT NULL,
  `description` text,
  `position` tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (`id_hook`),
  UNIQUE KEY `hook_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_general_ci;
