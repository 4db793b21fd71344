package effect

import (
	"reflect"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want []Effect
	}{
		{"ALTER TABLE `images` DROP COLUMN `is_public`, ALGORITHM=INSTANT", []Effect{{Op: DropColumn, Table: "images", Name: "is_public"}}},
		{"alter table images drop is_public, drop index ix_a, add column b int null", []Effect{{Op: DropColumn, Table: "images", Name: "is_public"}, {Op: DropIndex, Table: "images", Name: "ix_a"}, {Op: AddColumn, Table: "images", Name: "b"}}},
		{"ALTER TABLE `images` MODIFY COLUMN `owner` varchar(255) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE", []Effect{{Op: ModifyColumn, Table: "images", Name: "owner"}}},
		{"ALTER TABLE t CHANGE a a bigint NOT NULL", []Effect{{Op: ModifyColumn, Table: "t", Name: "a"}}},
		{"ALTER TABLE t CHANGE COLUMN a b int", []Effect{{Op: RenameColumn, Table: "t", Name: "a", Def: "b"}}},
		{"ALTER TABLE t RENAME COLUMN a TO b", []Effect{{Op: RenameColumn, Table: "t", Name: "a", Def: "b"}}},
		{"ALTER TABLE `images` ADD UNIQUE INDEX `ux_images_slug` (`slug`), ALGORITHM=INPLACE, LOCK=NONE", []Effect{{Op: AddUnique, Table: "images", Name: "ux_images_slug", Def: "UNIQUE (slug)"}}},
		{"ALTER TABLE t ADD CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES p (id)", []Effect{{Op: AddForeignKey, Table: "t", Name: "fk_a", Def: "p"}}},
		{"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE", []Effect{{Op: AddForeignKey, Table: "t", Name: "fk", Def: "p"}}},
		{"ALTER TABLE t RENAME TO u", []Effect{{Op: RenameTable, Table: "t", Name: "u"}}},
		{"ALTER TABLE t ADD CONSTRAINT ck_a CHECK (a > 0), ALGORITHM=COPY", []Effect{{Op: AddCheck, Table: "t", Name: "ck_a"}}},
		{"ALTER TABLE t ADD PRIMARY KEY (id), DROP PRIMARY KEY", []Effect{{Op: AddPrimary, Table: "t", Def: "UNIQUE (id)"}, {Op: DropPrimary, Table: "t"}}},
		{"ALTER TABLE t DROP FOREIGN KEY fk_a, DROP CONSTRAINT ck_a, DROP CHECK ck_b", []Effect{{Op: DropForeignKy, Table: "t", Name: "fk_a"}, {Op: DropCheck, Table: "t", Name: "ck_a"}, {Op: DropCheck, Table: "t", Name: "ck_b"}}},
		{"ALTER TABLE t ADD INDEX ix (a, b), ALGORITHM=INPLACE, LOCK=NONE", []Effect{{Op: AddIndex, Table: "t", Name: "ix", Def: "(a, b)"}}},
		{"ALTER TABLE t COMMENT 'x', ALGORITHM=INSTANT", nil},
		{"ALTER TABLE `t` ALTER COLUMN `c` SET DEFAULT '', ALGORITHM=INSTANT", []Effect{{Op: ColumnDefault, Table: "t", Name: "c"}}},
		{"alter table t alter c drop default, alter index ix invisible", []Effect{{Op: ColumnDefault, Table: "t", Name: "c"}}},
		{"CREATE UNIQUE INDEX ux ON t (a)", []Effect{{Op: AddUnique, Table: "t", Name: "ux", Def: "UNIQUE (a)"}}},
		{"DROP INDEX ix ON `t`", []Effect{{Op: DropIndex, Table: "t", Name: "ix"}}},
		{"DROP TABLE `image_properties`", []Effect{{Op: DropTable, Table: "image_properties"}}},
		{"DROP TABLE IF EXISTS a, `b` CASCADE", []Effect{{Op: DropTable, Table: "a"}, {Op: DropTable, Table: "b"}}},
		{"CREATE TABLE `images` (`id` bigint NOT NULL, PRIMARY KEY (`id`))", []Effect{{Op: CreateTable, Table: "images"}}},
		{"RENAME TABLE `images` TO `pictures`", []Effect{{Op: RenameTable, Table: "images", Name: "pictures"}}},
		{"CREATE TRIGGER `emcee_images_train_25904f_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n SET NEW.a = 1;\nEND", []Effect{{Op: CreateTrigger, Table: "images", Name: "emcee_images_train_25904f_bi", Def: "BEFORE INSERT"}}},
		{"create definer=`root`@`%` trigger t_bu after update on db.t for each row set @x = 1", []Effect{{Op: CreateTrigger, Table: "t", Name: "t_bu", Def: "AFTER UPDATE"}}},
		{"DROP TRIGGER IF EXISTS `emcee_images_train_25904f_bu`", []Effect{{Op: DropTrigger, Name: "emcee_images_train_25904f_bu"}}},
		{"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `images` AS SELECT `id` FROM `pictures`", []Effect{{Op: CreateView, Name: "images"}}},
		{"DROP VIEW IF EXISTS `images`", []Effect{{Op: DropView, Name: "images"}}},
		{"DELETE FROM images WHERE id > 3", []Effect{{Op: DeleteRows, Table: "images"}}},
		{"TRUNCATE TABLE images", []Effect{{Op: DeleteRows, Table: "images"}}},
		{"UPDATE `images` SET `slug` = 'x' WHERE (`slug` IS NULL)", nil},
		{"SELECT COUNT(*) FROM `images` WHERE `slug` IS NULL", nil},
	} {
		if got := Of(tc.sql); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.sql, got, tc.want)
		}
	}
}
