-- emcee revision pike_rollback02 (release pike, phase rollback)
-- Hand-made for emcee lint's e2e test: it undoes pike_expand02 but for the index ix_owner that expand dropped (EM112).

-- rule hand-made: the triggers pike_expand02 created go first
DROP TRIGGER IF EXISTS `images_caption_bi`;

-- rule hand-made: the triggers pike_expand02 created go first
DROP TRIGGER IF EXISTS `images_size_bi`;

-- rule hand-made: the column pike_expand02 added
ALTER TABLE `images` DROP COLUMN `caption`, ALGORITHM=INSTANT;

-- rule hand-made: the unique index pike_expand02 added; ix_owner, which it dropped, is not added back
ALTER TABLE `images` DROP INDEX `ux_images_name`, ALGORITHM=INPLACE, LOCK=NONE;
