-- GLPI 10.0.17's glpi_users (install/mysql/glpi-10.0.17-empty.sql), trimmed
-- as users_100.sql: user_dn_hash (10.0.12), entities_id nullable (10.0.17).
CREATE TABLE `glpi_users` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(255) DEFAULT NULL,
  `authtype` int NOT NULL DEFAULT '0',
  `auths_id` int unsigned NOT NULL DEFAULT '0',
  `entities_id` int unsigned DEFAULT '0',
  `user_dn` text,
  `user_dn_hash` varchar(32),
  `registration_number` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `unicityloginauth` (`name`,`authtype`,`auths_id`),
  KEY `entities_id` (`entities_id`),
  KEY `user_dn_hash` (`user_dn_hash`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;
