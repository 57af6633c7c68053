package org.mnemos.security;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Applies the owner check to every route of one experiment. */
@Configuration
class AccessConfiguration implements WebMvcConfigurer {

    private final ExperimentAccessInterceptor access;

    AccessConfiguration(ExperimentAccessInterceptor access) {
        this.access = access;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(access).addPathPatterns("/api/v1/experiments/{id}", "/api/v1/experiments/{id}/**");
    }
}
