-- Where each reporting phone was (its GPS) when the report was made, to compare with the stated place.
ALTER TABLE parties ADD COLUMN device_latitude {real};
ALTER TABLE parties ADD COLUMN device_longitude {real};
