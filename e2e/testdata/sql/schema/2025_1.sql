-- What the ORM prints for release 2025_1 (SQLAlchemy's CreateTable).
CREATE TABLE owners (
  id INTEGER UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ux_owners_name UNIQUE (name)
);

CREATE TABLE images (
  id BIGINT NOT NULL AUTO_INCREMENT,
  owner_id INTEGER UNSIGNED,
  name VARCHAR(255) NOT NULL,
  status ENUM('queued','active') NOT NULL DEFAULT 'queued',
  visibility ENUM('private','public') NOT NULL DEFAULT 'private',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id)
);

CREATE INDEX ix_images_status ON images (status);
ALTER TABLE images ADD CONSTRAINT fk_images_owner FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE SET NULL;
