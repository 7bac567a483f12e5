SELECT count(*) FROM app."user";
