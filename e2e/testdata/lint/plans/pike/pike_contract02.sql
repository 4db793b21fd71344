-- emcee revision pike_contract02 (release pike, phase contract)
-- Hand-made for emcee lint's e2e test: every statement breaks a rule.

-- rule hand-made: EM109, NOT NULL without a gate counting the rows still NULL
ALTER TABLE `images` MODIFY COLUMN `owner` varchar(50) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;

-- rule hand-made: EM107, a gate after the change it should protect
-- emcee:gate
SELECT COUNT(*) FROM `images` WHERE `size` < 0;
