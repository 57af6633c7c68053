package org.mnemos;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class MnemosApplication {

    public static void main(String[] args) {
        SpringApplication.run(MnemosApplication.class, args);
    }
}
