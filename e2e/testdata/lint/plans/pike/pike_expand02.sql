-- emcee revision pike_expand02 (release pike, phase expand)
-- Hand-made for emcee lint's e2e test: every statement breaks a rule.

-- rule hand-made: EM101, an index the previous release may rely on, dropped in expand
ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE;

-- rule hand-made: EM102, a unique index on an existing table in expand: rejects duplicates the previous release still writes
ALTER TABLE `images` ADD UNIQUE INDEX `ux_images_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE;

-- rule hand-made: EM103, no ALGORITHM clause: the server may copy the table under a lock
ALTER TABLE `images` ADD COLUMN `caption` varchar(50) NULL;

-- rule hand-made: EM110, SIGNAL in a trigger body: emcee's SQL reader does not have it
CREATE TRIGGER `images_size_bi` BEFORE INSERT ON `images` FOR EACH ROW
BEGIN
  IF NEW.`size` < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'size < 0'; END IF;
END;

-- rule hand-made: EM111, a trigger calling a function the server does not have: every INSERT of the running release would fail
CREATE TRIGGER `images_caption_bi` BEFORE INSERT ON `images` FOR EACH ROW SET NEW.`caption` = REGEXP_LIKE(NEW.`name`, '^x');
