# bash completion for lanesightctl(1). Options may come before or after the
# command, as lanesightctl accepts them anywhere.
_lanesightctl() {
        local cur prev words cword
        _init_completion 2>/dev/null || {
                cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
                words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
        }
        local commands="status cameras watch verify identify gallery template compare help"
        local global="--json --backend --device --threads --models --detector --embedder --embedder-id
                --threshold --output -o --help -h --version"
        local -A verb_opts=(
                [status]="" [cameras]="" [help]=""
                [watch]="--camera --count --timeout"
                [verify]="--reference --template --camera --timeout --min-quality --opt-out"
                [identify]="--candidates --camera --timeout --min-quality --image"
                [gallery]="--template --ttl"
                [template]="--accept-poor-reference" [compare]="--accept-poor-reference"
        )

        case "$prev" in
        --backend) COMPREPLY=($(compgen -W "cpu vulkan opencl" -- "$cur")); return ;;
        --models) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --detector|--embedder|--reference|--template|--image|--output|-o)
                COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --device|--threads|--embedder-id|--threshold|--camera|--timeout|--min-quality|--candidates|--count|--ttl)
                return ;;
        esac

        # The command: the first word that is neither an option nor an option's value.
        local i verb="" nargs=0
        for ((i = 1; i < cword; i++)); do
                case "${words[i]}" in
                --backend|--models|--detector|--embedder|--reference|--template|--image|--output|-o|--device| \
                --threads|--embedder-id|--threshold|--camera|--timeout|--min-quality|--candidates|--count|--ttl)
                        ((i++)) ;;
                -*) ;;
                *) if [ -z "$verb" ]; then verb=${words[i]}; else ((nargs++)); fi ;;
                esac
        done

        if [ -z "$verb" ]; then
                if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$global" -- "$cur"))
                else COMPREPLY=($(compgen -W "$commands" -- "$cur")); fi
                return
        fi
        if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "${verb_opts[$verb]} $global" -- "$cur"))
                return
        fi
        case "$verb" in
        template|compare) COMPREPLY=($(compgen -f -- "$cur")) ;;
        gallery)
                if [ $nargs -eq 0 ]; then COMPREPLY=($(compgen -W "add remove list clear" -- "$cur"))
                elif [ $nargs -eq 2 ]; then COMPREPLY=($(compgen -f -- "$cur")); fi ;;
        help) [ $nargs -eq 0 ] && COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        esac
}
complete -o filenames -F _lanesightctl lanesightctl
