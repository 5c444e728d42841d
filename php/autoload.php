<?php
/**
 * The package's own PSR-4 autoloader, for using it without Composer (a copied folder, this
 * repository's tests and bin/ scripts). With Composer, `vendor/autoload.php` does the same.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'RealtimeBookings\\') && !str_starts_with($class, 'RealtimeBookings\\Tests\\')) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen('RealtimeBookings\\'))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
